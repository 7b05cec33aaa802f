def render():
    return 'lazy view v1'
