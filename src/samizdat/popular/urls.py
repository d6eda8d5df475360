from django.urls import path

from . import views

app_name = "popular"

urlpatterns = [path("", views.popular, name="popular")]
