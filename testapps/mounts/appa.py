# App A of the mounts example: gowsgi -n web --wsgi /a=appa.app --wsgi /b=appb.app --static /static=static
from flask import Flask, jsonify, request, url_for

app = Flask(__name__)


@app.route('/')
def home():
    return 'A home; next: ' + url_for('where', name='x')


@app.route('/where/<name>')
def where(name):
    return jsonify(app='a', name=name, script_name=request.environ['SCRIPT_NAME'],
                   path_info=request.environ['PATH_INFO'], url=url_for('where', name=name),
                   static=url_for('static', filename='x.css'))
