# snippet: modules | base64 encode/decode (standard and urlsafe)
import base64
e = base64.b64encode(b'hello world!?')
print(e, base64.b64decode(e), base64.urlsafe_b64encode(b'\xfb\xff'), base64.urlsafe_b64decode('-_8='), base64.b64decode('aGk='))
