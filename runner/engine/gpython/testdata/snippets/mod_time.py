# snippet: modules | time.time, time.sleep, time.strftime(gmtime)
import time
t0 = time.time()
time.sleep(0.01)
print(time.time() - t0 >= 0.005, time.strftime('%Y-%m-%d', time.gmtime(0)))
