from django.urls import path

from yiwang.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("workdays/", views.workdays, name="workdays"),
]
