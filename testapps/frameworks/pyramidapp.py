"""A Pyramid app: gowsgi -n web --wsgi pyramidapp.app"""
from pyramid.config import Configurator
from pyramid.response import Response


def index(request):
    return Response('Hello from Pyramid')


def echo(request):
    return Response(body=request.body, content_type='application/octet-stream')


with Configurator() as config:
    config.add_route('index', '/')
    config.add_route('echo', '/echo')
    config.add_view(index, route_name='index')
    config.add_view(echo, route_name='echo', request_method='POST')
    app = config.make_wsgi_app()
