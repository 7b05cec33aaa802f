from django.urls import path

from . import views

urlpatterns = [
    path('', views.home),
    path('echo/', views.echo),
    path('boom/', views.boom),
]
