# The developer-loop example: a Flask page that edits show up in the browser
# by themselves, and views that fail as they do in real apps.
#   gowsgi -n web --wsgi app.app --static /static=static
from flask import Flask, render_template

app = Flask(__name__)


@app.route('/')
def home():
    return render_template('index.html', title='Devloop')


def load_order(order_id):
    api_password = 'hunter2'  # a secret the debug page must mask
    orders = {1: {'total': 12}}
    return orders[order_id]  # KeyError for a missing order


@app.route('/order/<int:order_id>')
def order(order_id):
    customer = 'Ada Lovelace'
    return 'total %s for %s' % (load_order(order_id)['total'], customer)


@app.route('/chain')
def chain():
    try:
        int('forty-two')
    except ValueError as e:
        raise RuntimeError('could not read the quantity') from e
