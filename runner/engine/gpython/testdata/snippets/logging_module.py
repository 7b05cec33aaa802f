# snippet: modules | the logging module: getLogger, levels, basicConfig, exception()
import io
import logging
import sys
logging.getLogger('x').warning('unconfigured %s', 'warning')
logging.getLogger('x').info('not shown')
logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s', stream=sys.stdout)
log = logging.getLogger('app.views')
log.info('hello %d', 5)
log.debug('hidden')
buf = io.StringIO()
h = logging.StreamHandler(buf)
log.addHandler(h)
log.propagate = False
try:
    1 / 0
except ZeroDivisionError:
    log.exception('failed')
lines = buf.getvalue().splitlines()
print(lines[0], lines[1], lines[-1])
print(logging.getLevelName(logging.WARNING), log.isEnabledFor(logging.DEBUG), log.parent.name)
