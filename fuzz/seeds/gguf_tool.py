"""Minimal GGUF v3 reader/writer for the fuzz seed generator (no dependencies)."""
import struct

T_U8, T_I8, T_U16, T_I16, T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR, T_U64, T_I64, T_F64 = range(13)
_SCALAR = {T_U8: "<B", T_I8: "<b", T_U16: "<H", T_I16: "<h", T_U32: "<I", T_I32: "<i",
           T_F32: "<f", T_BOOL: "<?", T_U64: "<Q", T_I64: "<q", T_F64: "<d"}


def _str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def _value(t, v):
    if t == T_STR:
        return _str(v)
    if t == T_ARR:
        et, items = v
        return struct.pack("<IQ", et, len(items)) + b"".join(_value(et, x) for x in items)
    return struct.pack(_SCALAR[t], v)


def write(kvs, tensors, align=32):
    """kvs: [(key, type, value)]; tensors: [(name, ne list, ggml type, raw bytes)]."""
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs))
    for k, t, v in kvs:
        out += _str(k) + struct.pack("<I", t) + _value(t, v)
    offset, data = 0, b""
    for name, ne, gt, raw in tensors:
        out += _str(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        out += struct.pack("<IQ", gt, offset)
        pad = (-len(raw)) % align
        data += raw + b"\0" * pad
        offset += len(raw) + pad
    out += b"\0" * ((-len(out)) % align)
    return out + data


def read_kvs(path):
    """Returns [(key, type, value)] of a GGUF file (arrays as (elem type, list))."""
    b = open(path, "rb").read()
    pos = 24
    n_kv = struct.unpack_from("<Q", b, 16)[0]

    def rd_str():
        nonlocal pos
        n = struct.unpack_from("<Q", b, pos)[0]
        s = b[pos + 8:pos + 8 + n].decode("utf-8", "replace")
        pos += 8 + n
        return s

    def rd_val(t):
        nonlocal pos
        if t == T_STR:
            return rd_str()
        if t == T_ARR:
            et, n = struct.unpack_from("<IQ", b, pos)
            pos += 12
            return (et, [rd_val(et) for _ in range(n)])
        v = struct.unpack_from(_SCALAR[t], b, pos)[0]
        pos += struct.calcsize(_SCALAR[t])
        return v

    kvs = []
    for _ in range(n_kv):
        k = rd_str()
        t = struct.unpack_from("<I", b, pos)[0]
        pos += 4
        kvs.append((k, t, rd_val(t)))
    return kvs
