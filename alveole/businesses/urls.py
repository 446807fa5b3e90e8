app_name = "businesses"
urlpatterns: list = []
