"""A small logging module for gowsgi's gpython engine: loggers with levels,
handlers and %-style formatters, writing to sys.stderr (gowsgi's log)."""
import sys
import time

CRITICAL = 50
FATAL = 50
ERROR = 40
WARNING = 30
WARN = 30
INFO = 20
DEBUG = 10
NOTSET = 0

_levels = [(50, 'CRITICAL'), (40, 'ERROR'), (30, 'WARNING'), (20, 'INFO'), (10, 'DEBUG'), (0, 'NOTSET')]
BASIC_FORMAT = '%(levelname)s:%(name)s:%(message)s'


def getLevelName(level):
    for n, name in _levels:
        if n == level:
            return name
    if isinstance(level, str):
        for n, name in _levels:
            if name == level:
                return n
    return 'Level %s' % (level,)


def _checkLevel(level):
    if isinstance(level, int):
        return level
    if isinstance(level, str):
        name = level.upper()
        if name == 'WARN':
            name = 'WARNING'
        for n, lname in _levels:
            if lname == name:
                return n
    raise ValueError('Unknown level: %r' % (level,))


class LogRecord(object):
    def __init__(self, name, level, msg, args, exc_text):
        self.name = name
        self.levelno = level
        self.levelname = getLevelName(level)
        self.msg = msg
        if len(args) == 1 and isinstance(args[0], dict) and args[0]:
            args = args[0]
        self.args = args
        self.exc_text = exc_text
        self.created = time.time()
        self.msecs = int((self.created % 1) * 1000)
        self.module = name
        self.process = 0
        self.thread = 0

    def getMessage(self):
        msg = str(self.msg)
        if self.args:
            msg = msg % self.args
        return msg


class Formatter(object):
    def __init__(self, fmt=None, datefmt=None, style='%'):
        self._fmt = fmt or '%(message)s'
        self.datefmt = datefmt

    def formatTime(self, record, datefmt=None):
        if datefmt:
            return time.strftime(datefmt, time.localtime(record.created))
        return '%s,%03d' % (time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(record.created)), record.msecs)

    def format(self, record):
        record.message = record.getMessage()
        d = {'name': record.name, 'levelname': record.levelname, 'levelno': record.levelno,
             'message': record.message, 'module': record.module, 'process': record.process,
             'thread': record.thread, 'created': record.created, 'msecs': record.msecs}
        if '%(asctime)' in self._fmt:
            d['asctime'] = self.formatTime(record, self.datefmt)
        s = self._fmt % d
        if record.exc_text:
            s = s + '\n' + record.exc_text.rstrip('\n')
        return s


_defaultFormatter = Formatter()


class Filterer(object):
    def __init__(self):
        self.filters = []

    def addFilter(self, f):
        if f not in self.filters:
            self.filters.append(f)

    def removeFilter(self, f):
        if f in self.filters:
            self.filters.remove(f)

    def filter(self, record):
        for f in self.filters:
            if hasattr(f, 'filter'):
                if not f.filter(record):
                    return False
            elif not f(record):
                return False
        return True


class Handler(Filterer):
    def __init__(self, level=NOTSET):
        Filterer.__init__(self)
        self.level = _checkLevel(level)
        self.formatter = None

    def setLevel(self, level):
        self.level = _checkLevel(level)

    def setFormatter(self, fmt):
        self.formatter = fmt

    def format(self, record):
        return (self.formatter or _defaultFormatter).format(record)

    def handle(self, record):
        if self.filter(record):
            self.emit(record)

    def emit(self, record):
        pass

    def flush(self):
        pass

    def close(self):
        pass


class StreamHandler(Handler):
    terminator = '\n'

    def __init__(self, stream=None):
        Handler.__init__(self)
        self.stream = stream

    def emit(self, record):
        stream = self.stream
        if stream is None:
            stream = sys.stderr
        stream.write(self.format(record) + self.terminator)


class NullHandler(Handler):
    def handle(self, record):
        pass


class FileHandler(StreamHandler):
    def __init__(self, filename, mode='a', encoding=None, delay=False):
        raise PermissionError('logging.FileHandler: files are read-only on gowsgi\'s gpython engine; log to sys.stderr')


class Logger(Filterer):
    def __init__(self, name, level=NOTSET):
        Filterer.__init__(self)
        self.name = name
        self.level = _checkLevel(level)
        self.parent = None
        self.propagate = True
        self.handlers = []
        self.disabled = False

    def setLevel(self, level):
        self.level = _checkLevel(level)

    def getEffectiveLevel(self):
        logger = self
        while logger is not None:
            if logger.level:
                return logger.level
            logger = logger.parent
        return NOTSET

    def isEnabledFor(self, level):
        return not self.disabled and level >= self.getEffectiveLevel()

    def addHandler(self, h):
        if h not in self.handlers:
            self.handlers.append(h)

    def removeHandler(self, h):
        if h in self.handlers:
            self.handlers.remove(h)

    def hasHandlers(self):
        c = self
        while c is not None:
            if c.handlers:
                return True
            if not c.propagate:
                return False
            c = c.parent
        return False

    def getChild(self, suffix):
        return getLogger(self.name + '.' + suffix)

    def _log(self, level, msg, args, exc_info=None, extra=None, stack_info=False, stacklevel=1):
        exc_text = None
        if exc_info:
            import traceback
            if isinstance(exc_info, BaseException):
                exc_text = ''.join(traceback.format_exception(type(exc_info), exc_info, None))
            else:
                exc_text = traceback.format_exc()
        record = LogRecord(self.name, level, msg, args, exc_text)
        if extra:
            for k in extra:
                setattr(record, k, extra[k])
        if self.filter(record):
            self.handle(record)

    def handle(self, record):
        c = self
        found = 0
        while c is not None:
            for h in c.handlers:
                found += 1
                if record.levelno >= h.level:
                    h.handle(record)
            if not c.propagate:
                break
            c = c.parent
        if found == 0 and record.levelno >= lastResort.level:
            lastResort.handle(record)

    def debug(self, msg, *args, **kwargs):
        if self.isEnabledFor(DEBUG):
            self._log(DEBUG, msg, args, **kwargs)

    def info(self, msg, *args, **kwargs):
        if self.isEnabledFor(INFO):
            self._log(INFO, msg, args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        if self.isEnabledFor(WARNING):
            self._log(WARNING, msg, args, **kwargs)

    warn = warning

    def error(self, msg, *args, **kwargs):
        if self.isEnabledFor(ERROR):
            self._log(ERROR, msg, args, **kwargs)

    def exception(self, msg, *args, exc_info=True, **kwargs):
        if self.isEnabledFor(ERROR):
            self._log(ERROR, msg, args, exc_info=exc_info, **kwargs)

    def critical(self, msg, *args, **kwargs):
        if self.isEnabledFor(CRITICAL):
            self._log(CRITICAL, msg, args, **kwargs)

    fatal = critical

    def log(self, level, msg, *args, **kwargs):
        if self.isEnabledFor(level):
            self._log(level, msg, args, **kwargs)


class _StderrHandler(StreamHandler):
    def __init__(self, level=NOTSET):
        StreamHandler.__init__(self)
        self.level = level


lastResort = _StderrHandler(WARNING)
root = Logger('root', WARNING)
_loggers = {}


def getLogger(name=None):
    if not name or name == 'root':
        return root
    logger = _loggers.get(name)
    if logger is not None:
        return logger
    logger = Logger(name)
    parent = root
    parts = name.split('.')
    i = len(parts) - 1
    while i > 0:
        p = _loggers.get('.'.join(parts[:i]))
        if p is not None:
            parent = p
            break
        i -= 1
    logger.parent = parent
    prefix = name + '.'
    for other in _loggers.values():
        if other.name.startswith(prefix) and (other.parent is root or not other.parent.name.startswith(prefix)):
            other.parent = logger
    _loggers[name] = logger
    return logger


def basicConfig(**kwargs):
    force = kwargs.get('force', False)
    if root.handlers and not force:
        return
    if force:
        root.handlers = []
    handlers = kwargs.get('handlers')
    if handlers is None:
        handlers = [StreamHandler(kwargs.get('stream'))]
    fmt = Formatter(kwargs.get('format', BASIC_FORMAT), kwargs.get('datefmt'))
    for h in handlers:
        if h.formatter is None:
            h.setFormatter(fmt)
        root.addHandler(h)
    if 'level' in kwargs:
        root.setLevel(kwargs['level'])


def _module_log(level, msg, args, kwargs):
    if not root.handlers:
        basicConfig()
    root.log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    _module_log(DEBUG, msg, args, kwargs)


def info(msg, *args, **kwargs):
    _module_log(INFO, msg, args, kwargs)


def warning(msg, *args, **kwargs):
    _module_log(WARNING, msg, args, kwargs)


warn = warning


def error(msg, *args, **kwargs):
    _module_log(ERROR, msg, args, kwargs)


def exception(msg, *args, exc_info=True, **kwargs):
    kwargs['exc_info'] = exc_info
    _module_log(ERROR, msg, args, kwargs)


def critical(msg, *args, **kwargs):
    _module_log(CRITICAL, msg, args, kwargs)


fatal = critical


def log(level, msg, *args, **kwargs):
    _module_log(level, msg, args, kwargs)


def disable(level=CRITICAL):
    root.setLevel(level + 1)


def captureWarnings(capture):
    pass
