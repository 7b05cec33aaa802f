# snippet: modules | the logging module
import logging
logging.getLogger('x').warning('hi')
print('ok')
