"""Flask hello with a Jinja template: testapps/flaskapp's page, for the
benchmark harness (the template is rendered on every request)."""
import os

from flask import Flask, render_template

app = Flask(__name__, template_folder=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     '..', '..', 'testapps', 'flaskapp', 'templates'))


@app.route('/')
def page_home():
    return render_template('index.html', message='Hello from Crossbar.io')


@app.route('/sleep')
def sleep():
    import time
    time.sleep(0.05)
    return 'slept\n'
