from django.urls import path

from selfcheck import views

app_name = "selfcheck"

urlpatterns = [
    path("back-pain/self-check/", views.self_check, name="check"),
]
