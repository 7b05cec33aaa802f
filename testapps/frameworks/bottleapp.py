"""A Bottle app: gowsgi -n web --wsgi bottleapp.app"""
import bottle

app = bottle.Bottle()


@app.route('/')
def index():
    return 'Hello from Bottle'


@app.post('/echo')
def echo():
    return bottle.request.body.read()
