from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt


def home(request):
    return render(request, 'home.html', {'message': 'Hello from Django'})


@csrf_exempt
def echo(request):
    return JsonResponse({
        'method': request.method,
        'path': request.path,
        'query': request.GET.dict(),
        'body': request.body.decode('utf-8'),
        'script_name': request.META.get('SCRIPT_NAME', ''),
    })


def boom(request):
    invoice = {'id': 42}
    return invoice['missing']  # Django answers its own 500 (DEBUG is off) and logs this
