"""A Falcon app: gowsgi -n web --wsgi falconapp.app"""
import falcon


class Index:
    def on_get(self, req, resp):
        resp.content_type = falcon.MEDIA_TEXT
        resp.text = 'Hello from Falcon'


class Echo:
    def on_post(self, req, resp):
        resp.content_type = 'application/octet-stream'
        resp.data = req.bounded_stream.read()


app = falcon.App()
app.add_route('/', Index())
app.add_route('/echo', Echo())
