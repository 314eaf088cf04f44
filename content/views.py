from django.shortcuts import render

from clinics.models import Clinic


def home(request):
    return render(request, "content/home.html", {"clinics": Clinic.objects.active()})
