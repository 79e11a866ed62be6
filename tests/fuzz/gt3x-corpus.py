#!/usr/bin/env python3
# gt3x-corpus.py DIR — writes the seeds of fuzz-gt3x (tests/fuzz/corpus/gt3x).
#
# Synthetic files made from ActiGraph's format description
# (github.com/actigraph/GT3X-File-Format), not from any recording: records
# with good checksums of every kind the decoder reads (METADATA,
# PARAMETERS, ACTIVITY 12-bit, ACTIVITY2, EVENT idle sleep in and out, LUX,
# BATTERY, CAPSENSE, the one-byte USB record), a damaged copy, info.txt,
# whole .gt3x zips, and an NHANES-layout zip. The first byte of each seed
# selects the harness mode (fuzz-gt3x.c).
import io
import os
import struct
import sys
import zipfile

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'corpus', 'gt3x')
os.makedirs(out, exist_ok=True)
START = 1598436540  # seconds of the device's clock


def record(kind, ts, payload):
    head = struct.pack('<BBIH', 0x1E, kind, ts, len(payload))
    x = 0
    for b in head + payload:
        x ^= b
    return head + payload + bytes([(~x) & 0xFF])


def pack12(samples):
    # Y, X, Z per sample, 12 bits each, big-endian nibbles.
    bits = ''
    for x, y, z in samples:
        for v in (y, x, z):
            bits += format(v & 0xFFF, '012b')
    bits += '0' * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def second(t, n=30):
    return [((t * 7 + i) % 200 - 100, (t * 3 - i) % 300 - 150, -245 + (i % 5)) for i in range(n)]


def ssp(value):
    # value = fraction / 2^23 * 2^exponent, fraction in [2^22, 2^23).
    e = 0
    m = abs(value)
    while m >= 1:
        m /= 2
        e += 1
    while 0 < m < 0.5:
        m *= 2
        e -= 1
    frac = int(m * (1 << 23))
    if value < 0:
        frac = -frac
    return ((e & 0xFF) << 24) | (frac & 0xFFFFFF)


def parameters():
    pairs = [(0, 55, ssp(256.0)), (1, 10, 30), (1, 2, 4), (1, 40, 7200), (0, 7, ssp(4.049)), (0, 13, 0x01090002)]
    return b''.join(struct.pack('<HHI', a, k, v) for a, k, v in pairs)


def log_bin():
    recs = [
        record(0x06, START - 50, b'{"MetadataType":"Bio","SubjectName":"S1","Height":150.0,"Limb":"Waist"}'),
        record(0x06, START - 50, b'{"MetadataType":"LocalTimeLog","UtcOffset":"02:00:00","UsedUtc":false}'),
        record(0x15, START - 50, parameters()),
        record(0x03, START, b'\x05\x01\x02'),
    ]
    t = START
    for k in range(4):
        recs.append(record(0x00, t, pack12(second(t))))
        if k == 1:
            recs.append(record(0x05, t, struct.pack('<H', 120)))
            recs.append(record(0x02, t, struct.pack('<H', 4049)))
            recs.append(record(0x0D, t, struct.pack('<HHBB', 3000, 2900, 1, 7)))
        t += 1
    # Idle sleep: in, nine seconds without records, out.
    recs.append(record(0x03, t, b'\x08'))
    t += 9
    recs.append(record(0x03, t, b'\x09'))
    for k in range(3):
        recs.append(record(0x1A, t, b''.join(struct.pack('<hhh', *s) for s in second(t))))
        t += 1
    recs.append(b'\x00\x00\x00')  # padding between records is allowed
    recs.append(record(0x00, t, pack12(second(t, 29))))
    t += 1
    recs.append(record(0x03, t, b'\x08'))  # asleep at the end
    recs.append(record(0x00, t + 5, b'\x5a'))  # the USB dock
    return b''.join(recs)


def column(flags, bits, scale, label):
    return struct.pack('<BBBI', flags, 0, bits, scale) + label.ljust(16).encode()


def link_log():
    # The GT9X Link's IMU: a schema (id 1, 5 columns, 2 samples a record)
    # and its data, as SensorSchema.md and SensorData.md lay them out.
    schema = struct.pack('<HHH', 1, 5, 2) + column(2, 16, 0x05418937, 'Gyroscope X') \
        + column(3, 16, 0x05418937, 'Gyroscope Y') + column(2, 16, 0x095377AE, 'Temperature') \
        + column(2, 8, 0, 'Mag X') + column(0, 8, 0, '')
    row = struct.pack('<h', 164) + struct.pack('>h', -328) + struct.pack('<h', 3339) + bytes([0xFB, 0xAA])
    recs = [record(0x18, START, schema)]
    for k in range(3):
        recs.append(record(0x19, START + k, struct.pack('<H', 1) + row * 2))
        recs.append(record(0x00, START + k, pack12(second(START + k))))
    return b''.join(recs)


INFO = ('Serial Number: MOS2E00000000\r\nDevice Type: wGT3XBT\r\nFirmware: 1.9.2\r\nBattery Voltage: 4,03\r\n'
        'Sample Rate: 30\r\nStart Date: 637340333400000000\r\nStop Date: 0\r\nTimeZone: 02:00:00\r\n'
        'Acceleration Scale: 256.0\r\nAcceleration Min: -8.0\r\nAcceleration Max: 8.0\r\nSubject Name: S1\r\n')


def zipped(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


def write(name, data):
    assert len(data) < 20000, name
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)


log = log_bin()
damaged = bytearray(log)
damaged[200] ^= 0x5A          # a checksum that fails
damaged[420:428] = bytes(8)   # a zeroed header
write('log-records', b'\x00\x00\x1e' + log)
write('log-pieces-1', b'\x00\x00\x00' + log)          # fed a byte at a time, rate from PARAMETERS
write('log-damaged', b'\x00\x03\x1e' + bytes(damaged))
write('log-cut', b'\x00\x05\x1e' + log[:len(log) - 40])
write('log-link-imu', b'\x00\x02\x1e' + link_log())
write('file-link-imu', b'\x02' + zipped([('log.bin', link_log()), ('info.txt', INFO)]))
write('info-txt', b'\x01' + INFO.encode())
write('file-stored', b'\x02' + zipped([('log.bin', log), ('info.txt', INFO)], zipfile.ZIP_STORED))
write('file-deflated', b'\x02' + zipped([('log.bin', log), ('info.txt', INFO)]))
write('file-no-log', b'\x02' + zipped([('info.txt', INFO)]))
write('file-no-info', b'\x02' + zipped([('log.bin', log)]))
nhanes_info = 'Serial Number: NEO1C16110020\r\nFirmware: 2.2.0\r\nSample Rate: 30\r\nStart Date: 634556532600000000\r\n'
write('file-nhanes', b'\x02' + zipped([('activity.bin', pack12(second(0, 61))),
                                        ('lux.bin', bytes.fromhex('00001300FFFF98084C04')),
                                        ('info.txt', nhanes_info)]))
