# A plain WSGI app whose exception reaches gowsgi, with a chained cause.
def parse(text):
    secret_token = 'abc123'  # masked on the debug page
    return int(text)


def application(environ, start_response):
    quantity_text = 'forty-two'
    try:
        parse(quantity_text)
    except ValueError as e:
        raise RuntimeError('could not read the quantity') from e
