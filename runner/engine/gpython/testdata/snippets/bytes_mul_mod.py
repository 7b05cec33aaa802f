# snippet: bytes | bytes * int and bytes % args
print(b'ab' * 3, 3 * b'-', b'%s=%d' % (b'k', 5))
