"""URLs of the support app, mounted at /support/."""

from django.urls import path

from alveole.support.views import (
    appointments,
    attendance,
    intake,
    programmes,
    public,
    quality,
    workshops,
)

app_name = "support"
urlpatterns = [
    # catalogue and sessions
    path("workshops/", workshops.workshop_list, name="workshop_list"),
    path("workshops/new/", workshops.workshop_create, name="workshop_create"),
    path("workshops/<int:pk>/", workshops.workshop_detail, name="workshop_detail"),
    path("workshops/<int:pk>/edit/", workshops.workshop_edit, name="workshop_edit"),
    path("workshops/<int:pk>/results/", workshops.workshop_results, name="workshop_results"),
    path(
        "workshops/<int:workshop_pk>/sessions/new/",
        workshops.session_create,
        name="session_create",
    ),
    path("sessions/", workshops.session_list, name="session_list"),
    path("sessions/<int:pk>/", workshops.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", workshops.session_edit, name="session_edit"),
    path("sessions/<int:pk>/cancel/", workshops.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/slots/", workshops.slot_add, name="slot_add"),
    path("slots/<int:pk>/remove/", workshops.slot_remove, name="slot_remove"),
    path("sessions/<int:pk>/enrol/", workshops.session_enrol, name="session_enrol"),
    path("sessions/<int:pk>/enrol-me/", workshops.session_enrol_me, name="session_enrol_me"),
    path("enrolments/<int:pk>/cancel/", workshops.enrolment_cancel, name="enrolment_cancel"),
    path("sessions/<int:pk>/attendance.pdf", workshops.attendance_sheet, name="attendance_sheet"),
    path("enrolments/<int:pk>/certificate.pdf", workshops.certificate, name="certificate"),
    path("sessions/<int:pk>/survey/send/", workshops.survey_send, name="survey_send"),
    path("sessions/<int:pk>/survey/", workshops.session_results, name="session_results"),
    path("my-workshops/", workshops.my_workshops, name="my_workshops"),
    # attendance
    path("slots/<int:pk>/sign/", attendance.sign_board, name="sign_board"),
    path("slots/<int:pk>/sign/trainer/", attendance.sign_on_device, name="sign_trainer"),
    path("slots/<int:pk>/sign/<int:enrolment_pk>/", attendance.sign_on_device, name="sign_trainee"),
    path("slots/<int:pk>/links/new/", attendance.signing_links_create, name="signing_links_create"),
    path("slots/<int:pk>/links/", attendance.signing_links, name="signing_links"),
    path(
        "slots/<int:pk>/absence/<int:enrolment_pk>/",
        attendance.absence_record,
        name="absence_record",
    ),
    path("absences/<int:pk>/remove/", attendance.absence_remove, name="absence_remove"),
    # through a link, without an account
    path("sign/<str:token>/", attendance.sign_with_link, name="sign_with_link"),
    path("register/<str:token>/", public.register, name="register"),
    path("survey/<str:token>/", public.survey_answer, name="survey_answer"),
    path("calendar/<str:token>.ics", public.calendar_feed, name="calendar_feed"),
    # appointments
    path("appointments/", appointments.appointment_list, name="appointment_list"),
    path("appointments/new/", appointments.appointment_create, name="appointment_create"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/edit/", appointments.appointment_edit, name="appointment_edit"),
    path(
        "appointments/<int:pk>/status/", appointments.appointment_status, name="appointment_status"
    ),
    path("appointments/<int:pk>/steps/", appointments.next_step_add, name="next_step_add"),
    path("steps/<int:pk>/toggle/", appointments.next_step_toggle, name="next_step_toggle"),
    path("calendar/", appointments.calendar, name="calendar"),
    path("calendar/feed/", appointments.calendar_feed_settings, name="calendar_feed_settings"),
    # intake
    path("intake/", intake.intake_board, name="intake_board"),
    path("intake/erasure/", intake.erasure_list, name="erasure_list"),
    path(
        "intake/meetings/new/",
        intake.information_meeting_create,
        name="information_meeting_create",
    ),
    # programmes and co-development groups
    path("programmes/", programmes.programme_list, name="programme_list"),
    path("programmes/new/", programmes.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", programmes.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", programmes.programme_edit, name="programme_edit"),
    # quality (Qualiopi indicators 31 and 32)
    path("quality/", quality.quality_list, name="quality_list"),
    path("quality/new/", quality.quality_create, name="quality_create"),
    path("quality/<int:pk>/", quality.quality_detail, name="quality_detail"),
    path("quality/<int:pk>/close/", quality.quality_close, name="quality_close"),
]
