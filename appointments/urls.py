from django.urls import path

from appointments import views

app_name = "booking"

urlpatterns = [
    path("book/", views.start, name="start"),
    path("book/done/<str:token>/", views.done, name="done"),
    path("book/<slug:clinic_slug>/", views.times, name="times"),
    path("book/<slug:clinic_slug>/details/", views.details, name="details"),
    path("appointments/<str:token>/", views.manage, name="manage"),
    path("appointments/<str:token>/cancel/", views.cancel, name="cancel"),
    path("appointments/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<str:token>/calendar.ics", views.calendar_file, name="calendar"),
    path("api/slots/", views.api_slots, name="api_slots"),
]
