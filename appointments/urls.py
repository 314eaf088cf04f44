from django.urls import path

from appointments import views
from appointments.views import waitlist as waitlist_views

app_name = "booking"

urlpatterns = [
    path("book/", views.start, name="start"),
    path("book/done/<str:token>/", views.done, name="done"),
    path("book/<slug:clinic_slug>/", views.times, name="times"),
    path("book/<slug:clinic_slug>/details/", views.details, name="details"),
    path("book/<slug:clinic_slug>/waitlist/", waitlist_views.join, name="waitlist_join"),
    path("waitlist/<str:token>/", waitlist_views.offer_or_entry, name="waitlist"),
    path("waitlist/<str:token>/leave/", waitlist_views.leave, name="waitlist_leave"),
    path("appointments/<str:token>/", views.manage, name="manage"),
    path("appointments/<str:token>/cancel/", views.cancel, name="cancel"),
    path("appointments/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("appointments/<str:token>/calendar.ics", views.calendar_file, name="calendar"),
    path("api/slots/", views.api_slots, name="api_slots"),
]
