# snippet: modules | hashlib md5/sha1/sha256 and hmac
import hashlib, hmac
h = hashlib.sha256(b'abc')
h2 = hashlib.sha256(); h2.update(b'a'); h2.update(b'bc')
print(h.hexdigest() == h2.hexdigest(), hashlib.md5(b'x').hexdigest(), hashlib.sha1(b'x').hexdigest()[:12], len(h.digest()))
print(hmac.new(b'key', b'msg', hashlib.sha256).hexdigest()[:16], hmac.compare_digest('a', 'a'))
