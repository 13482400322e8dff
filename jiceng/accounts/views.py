from django.shortcuts import render


def lockout_response(request, credentials=None, *args, **kwargs):
    return render(request, "accounts/locked.html", status=403)
