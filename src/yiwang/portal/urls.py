from django.urls import path

from yiwang.portal import account_views, guide_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("workdays/", views.workdays, name="workdays"),
    path("themes/", guide_views.themes, name="themes"),
    path("matters/", guide_views.matters, name="matters"),
    path("guide/<str:code>/", guide_views.guide, name="guide"),
    path("register/", account_views.register, name="register"),
    path("register/code/", account_views.register_code, name="register_code"),
    path("login/", account_views.login_view, name="login"),
    path("login/code/", account_views.login_code, name="login_code"),
    path("logout/", account_views.logout_view, name="logout"),
    path("me/", account_views.me, name="me"),
    path("me/verify/", account_views.verify_item, name="verify_item"),
    path("me/enterprises/", account_views.enterprise_add, name="enterprise_add"),
    path("me/enterprises/<int:enterprise_id>/grants/", account_views.grant_add, name="grant_add"),
    path("me/grants/<int:grant_id>/revoke/", account_views.grant_revoke, name="grant_revoke"),
    path("me/acting/", account_views.act_as, name="act_as"),
]
