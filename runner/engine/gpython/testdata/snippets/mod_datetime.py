# snippet: modules | datetime, date, timedelta: arithmetic, isoformat, strftime
from datetime import datetime, date, timedelta, timezone
d = datetime(2024, 2, 28, 13, 5, 9)
print(d, d.isoformat(), d + timedelta(days=2), d.strftime('%Y-%m-%d %H:%M:%S %a %b %j'), repr(d))
print(d - datetime(2024, 1, 1), timedelta(hours=25, seconds=1), timedelta(minutes=90).total_seconds(), date(2024, 3, 1) - date(2024, 2, 1))
print(datetime(2024, 1, 1, tzinfo=timezone.utc).isoformat(), datetime.strptime('2024-05-06 07:08', '%Y-%m-%d %H:%M'), date(2024, 1, 1).weekday())
print(datetime.fromisoformat('2024-01-02T03:04:05'), isinstance(datetime.now(), datetime), datetime.utcnow().year > 2000)
