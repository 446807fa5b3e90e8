from django.urls import path

from alveole.governance.views import assemblies, board, minutes, participation, register

app_name = "governance"
urlpatterns = [
    path("", register.home, name="home"),
    path("me/", register.my_space, name="me"),
    path("settings/", register.settings_page, name="settings"),
    # The register of associates and shares.
    path("register/", register.register, name="register"),
    path("register/admit/", register.admit, name="admit"),
    path("register/subscribe/", register.subscribe, name="subscribe"),
    path("subscriptions/<int:pk>/", register.subscription_detail, name="subscription"),
    path("subscriptions/<int:pk>/release/", register.release, name="release"),
    path("departures/", register.departures, name="departures"),
    path("departures/<int:person_pk>/refund/", register.refund, name="refund"),
    path("refunds/<int:pk>/pay/", register.refund_pay, name="refund_pay"),
    # General assemblies, as the staff run them.
    path("assemblies/", assemblies.assembly_list, name="assemblies"),
    path("assemblies/new/", assemblies.assembly_create, name="assembly_create"),
    path("assemblies/<int:pk>/", assemblies.assembly_detail, name="assembly"),
    path("assemblies/<int:pk>/edit/", assemblies.assembly_edit, name="assembly_edit"),
    path("assemblies/<int:pk>/agenda/", assemblies.agenda_add, name="agenda_add"),
    path(
        "assemblies/<int:pk>/agenda/<int:item_pk>/delete/",
        assemblies.agenda_delete,
        name="agenda_delete",
    ),
    path("assemblies/<int:pk>/documents/", assemblies.document_add, name="document_add"),
    path(
        "assemblies/<int:pk>/documents/<int:doc_pk>/",
        assemblies.document_download,
        name="document",
    ),
    path("assemblies/<int:pk>/convene/", assemblies.convene, name="convene"),
    path(
        "assemblies/<int:pk>/convocations/<int:conv_pk>/resend/",
        assemblies.convocation_resend,
        name="convocation_resend",
    ),
    path("assemblies/<int:pk>/open/", assemblies.assembly_open, name="assembly_open"),
    path("assemblies/<int:pk>/close/", assemblies.assembly_close, name="assembly_close"),
    path("assemblies/<int:pk>/attendance/", assemblies.attendance, name="attendance"),
    path(
        "assemblies/<int:pk>/attendance/<int:person_pk>/sign/",
        assemblies.attendance_sign,
        name="attendance_sign",
    ),
    path(
        "assemblies/<int:pk>/signatures/<int:attendance_pk>.png",
        assemblies.signature,
        name="signature",
    ),
    path("assemblies/<int:pk>/proxies/", assemblies.proxy_add, name="proxy_add"),
    path(
        "assemblies/<int:pk>/proxies/<int:proxy_pk>/revoke/",
        assemblies.proxy_revoke,
        name="proxy_revoke",
    ),
    path("assemblies/<int:pk>/resolutions/", assemblies.resolution_add, name="resolution_add"),
    path("assemblies/<int:pk>/minutes.pdf", assemblies.minutes, name="minutes"),
    path("assemblies/<int:pk>/signatories/", minutes.signatories, name="signatories"),
    path("assemblies/<int:pk>/minutes/sign/<str:role>/", minutes.minutes_sign, name="minutes_sign"),
    path("resolutions/<int:pk>/", assemblies.resolution_room, name="resolution"),
    path("resolutions/<int:pk>/open/", assemblies.resolution_open, name="resolution_open"),
    path("resolutions/<int:pk>/close/", assemblies.resolution_close, name="resolution_close"),
    path("resolutions/<int:pk>/delete/", assemblies.resolution_delete, name="resolution_delete"),
    # An associate's own assembly page, logged in…
    path("assemblies/<int:pk>/participate/", participation.participate, name="participate"),
    path(
        "assemblies/<int:pk>/participate/sign/",
        participation.participate_sign,
        name="participate_sign",
    ),
    path(
        "assemblies/<int:pk>/participate/proxy/",
        participation.participate_proxy,
        name="participate_proxy",
    ),
    path(
        "assemblies/<int:pk>/participate/proxy/revoke/",
        participation.participate_proxy_revoke,
        name="participate_proxy_revoke",
    ),
    path(
        "assemblies/<int:pk>/participate/vote/<int:resolution_pk>/",
        participation.participate_vote,
        name="participate_vote",
    ),
    path(
        "assemblies/<int:pk>/participate/documents/<int:doc_pk>/",
        participation.participate_document,
        name="participate_document",
    ),
    path(
        "assemblies/<int:pk>/participate/minutes.pdf",
        participation.participate_minutes,
        name="participate_minutes",
    ),
    # …or through the personal link of the convocation.
    path("p/<str:token>/", participation.token_participate, name="token_participate"),
    path(
        "p/<str:token>/sign/", participation.token_participate_sign, name="token_participate_sign"
    ),
    path(
        "p/<str:token>/proxy/",
        participation.token_participate_proxy,
        name="token_participate_proxy",
    ),
    path(
        "p/<str:token>/proxy/revoke/",
        participation.token_participate_proxy_revoke,
        name="token_participate_proxy_revoke",
    ),
    path(
        "p/<str:token>/vote/<int:resolution_pk>/",
        participation.token_participate_vote,
        name="token_participate_vote",
    ),
    path(
        "p/<str:token>/documents/<int:doc_pk>/",
        participation.token_participate_document,
        name="token_participate_document",
    ),
    path(
        "p/<str:token>/minutes.pdf",
        participation.token_participate_minutes,
        name="token_participate_minutes",
    ),
    # The board.
    path("board/", board.board, name="board"),
    path("board/new/", board.mandate_add, name="mandate_add"),
    path("board/<int:pk>/end/", board.mandate_end, name="mandate_end"),
]
