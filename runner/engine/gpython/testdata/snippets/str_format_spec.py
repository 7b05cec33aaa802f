# snippet: str | format mini-language: align, width, precision, types
print('[{:>6}] [{:<6}] [{:^7}] [{:*^7}]'.format('ab', 'ab', 'ab', 'ab'))
print('{:.2f} {:08.3f} {:+d} {:,} {:x} {:#x} {:o} {:b} {:e} {:%}'.format(3.14159, 2.5, 5, 1234567, 255, 255, 8, 5, 12345.678, 0.25))
print(format(3.5), format(42, '05d'), format('s', '>3'), format(1.0), format(1e20, '.3'), '{!r}'.format('q'))
