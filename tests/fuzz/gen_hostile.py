#!/usr/bin/env python3
"""Write the hostile .tflite corpus (tests/fuzz/hostile/) and its manifest.

Every file is a small model that the engine must refuse with one exact status
(or, for the few "tolerated" cases, run cleanly). The files are derived from
hand-built flatbuffers (the TFLite schema's generated object API plus
flatbuffers.Builder) and from a few small real models in ../shared/models.
Output is deterministic: running this again gives byte-identical files.

    .deps/venv/bin/python tests/fuzz/gen_hostile.py [OUT_DIR]

The manifest hostile/expected.txt has one "FILE STATUS_NAME" line per file;
build/fuzz/hostile_check (make test-hostile) checks them under ASan+UBSan.
"""
import importlib.util
import os
import struct
import sys

import flatbuffers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED_MODELS = os.path.join(os.environ.get("TFLM_SHARED", os.path.join(os.path.dirname(ROOT), "shared")), "models")
MAX_FILE = 20 * 1024


def load_schema():
    # Load the generated schema module by path: importing the tensorflow
    # package itself would take seconds.
    spec = importlib.util.find_spec("tensorflow")
    paths = []
    if spec is not None and spec.submodule_search_locations:
        paths.append(os.path.join(spec.submodule_search_locations[0], "lite", "python", "schema_py_generated.py"))
    spec = importlib.util.find_spec("tflite_micro")
    if spec is not None and spec.submodule_search_locations:
        paths.append(os.path.join(spec.submodule_search_locations[0], "tensorflow", "lite", "micro", "python", "schema_py_generated.py"))
    for p in paths:
        if os.path.exists(p):
            s = importlib.util.spec_from_file_location("tflite_schema", p)
            mod = importlib.util.module_from_spec(s)
            s.loader.exec_module(mod)
            return mod
    sys.exit("gen_hostile: tflite schema_py_generated.py not found (run make deps)")


S = load_schema()
BO = S.BuiltinOptions
TT = S.TensorType

# Builtin operator codes (schema facts).
ADD, CONV_2D, FULLY_CONNECTED, MUL, RESHAPE, CUSTOM, CUMSUM = 0, 3, 9, 18, 22, 32, 128


# ---- building valid models -------------------------------------------------

def tensor(shape, ttype, buffer=0, name="t", scale=None, zp=None, qdim=0, variable=False):
    t = S.TensorT()
    t.shape = list(shape)
    t.type = ttype
    t.buffer = buffer
    t.name = name
    t.isVariable = variable
    if scale is not None:
        q = S.QuantizationParametersT()
        q.scale = list(scale)
        q.zeroPoint = list(zp if zp is not None else [0] * len(scale))
        q.quantizedDimension = qdim
        t.quantization = q
    return t


def operator(opcode, inputs, outputs, opt_type=0, opt=None):
    o = S.OperatorT()
    o.opcodeIndex = opcode
    o.inputs = list(inputs)
    o.outputs = list(outputs)
    o.builtinOptionsType = opt_type
    o.builtinOptions = opt
    return o


def opcode(code, version=1, custom=None):
    c = S.OperatorCodeT()
    c.builtinCode = code
    c.deprecatedBuiltinCode = code if code < 127 else 127
    c.version = version
    c.customCode = custom
    return c


class Model:
    """A model description packed by pack(): kept as plain Python objects so
    each hostile variant can change one thing."""

    def __init__(self, tensors, ops, opcodes, inputs, outputs, buffers, version=3):
        self.tensors = tensors
        self.ops = ops
        self.opcodes = opcodes
        self.inputs = inputs
        self.outputs = outputs
        self.buffers = buffers          # list of bytes (b"" = empty) or (offset, size) tuples
        self.version = version
        self.subgraphs = None           # None: one subgraph from the fields above; [] = none
        self.tensor_refs = None         # tensors vector as indices into tensors (tables shared)

    def pack_shared_subgraph(self, b):
        # A subgraph whose tensors vector points many times at the same few
        # tables: the object API cannot express it.
        tt = [t.Pack(b) for t in self.tensors]
        S.SubGraphStartTensorsVector(b, len(self.tensor_refs))
        for k in reversed(self.tensor_refs):
            b.PrependUOffsetTRelative(tt[k])
        tv = b.EndVector()

        def ivec(vals):
            b.StartVector(4, len(vals), 4)
            for v in reversed(vals):
                b.PrependInt32(v)
            return b.EndVector()
        iv, ov = ivec(self.inputs), ivec(self.outputs)
        oo = [o.Pack(b) for o in self.ops]
        S.SubGraphStartOperatorsVector(b, len(oo))
        for o in reversed(oo):
            b.PrependUOffsetTRelative(o)
        opv = b.EndVector()
        S.SubGraphStart(b)
        S.SubGraphAddTensors(b, tv)
        S.SubGraphAddInputs(b, iv)
        S.SubGraphAddOutputs(b, ov)
        S.SubGraphAddOperators(b, opv)
        return S.SubGraphEnd(b)

    def pack(self):
        b = flatbuffers.Builder(1024)
        # Same order as the schema's own ModelT.Pack; buffer data aligned to
        # 16 like the TFLite converter does.
        ocs = [c.Pack(b) for c in self.opcodes]
        S.ModelStartOperatorCodesVector(b, len(ocs))
        for o in reversed(ocs):
            b.PrependUOffsetTRelative(o)
        ocv = b.EndVector()
        if self.subgraphs is None:
            sg = S.SubGraphT()
            sg.tensors = self.tensors
            sg.operators = self.ops
            sg.inputs = self.inputs
            sg.outputs = self.outputs
            sg.name = "main"
            sgs = [sg]
        else:
            sgs = self.subgraphs
        sgo = [self.pack_shared_subgraph(b) if self.tensor_refs is not None else g.Pack(b) for g in sgs]
        S.ModelStartSubgraphsVector(b, len(sgo))
        for o in reversed(sgo):
            b.PrependUOffsetTRelative(o)
        sgv = b.EndVector()
        desc = b.CreateString("hostile")
        bufs = []
        for data in self.buffers:
            dv = None
            if isinstance(data, (bytes, bytearray)) and len(data):
                b.StartVector(1, len(data), 16)
                for x in reversed(bytes(data)):
                    b.PrependUint8(x)
                dv = b.EndVector()
            S.BufferStart(b)
            if dv is not None:
                S.BufferAddData(b, dv)
            if isinstance(data, tuple):
                S.BufferAddOffset(b, data[0])
                S.BufferAddSize(b, data[1])
            bufs.append(S.BufferEnd(b))
        S.ModelStartBuffersVector(b, len(bufs))
        for o in reversed(bufs):
            b.PrependUOffsetTRelative(o)
        bv = b.EndVector()
        S.ModelStart(b)
        S.ModelAddVersion(b, self.version)
        S.ModelAddOperatorCodes(b, ocv)
        S.ModelAddSubgraphs(b, sgv)
        S.ModelAddDescription(b, desc)
        S.ModelAddBuffers(b, bv)
        b.Finish(S.ModelEnd(b), file_identifier=b"TFL3")
        return bytearray(b.Output())


def i8(vals):
    return struct.pack("<%db" % len(vals), *vals)


def i32(vals):
    return struct.pack("<%di" % len(vals), *vals)


def base_fc():
    # int8 FULLY_CONNECTED: [1,4] x [3,4]^T + bias[3] -> [1,3]
    w = [((k * 37) % 255) - 127 for k in range(12)]
    tensors = [
        tensor([1, 4], TT.INT8, 0, "input", [0.5], [-1]),
        tensor([3, 4], TT.INT8, 1, "weights", [0.25], [0]),
        tensor([3], TT.INT32, 2, "bias", [0.125], [0]),
        tensor([1, 3], TT.INT8, 0, "output", [1.0], [2]),
    ]
    ops = [operator(0, [0, 1, 2], [3], BO.FullyConnectedOptions, S.FullyConnectedOptionsT())]
    return Model(tensors, ops, [opcode(FULLY_CONNECTED)], [0], [3], [b"", i8(w), i32([100, -200, 300])])


def base_add():
    tensors = [
        tensor([1, 2, 2, 3], TT.INT8, 0, "a", [0.5], [1]),
        tensor([1, 2, 2, 3], TT.INT8, 0, "b", [0.25], [-3]),
        tensor([1, 2, 2, 3], TT.INT8, 0, "sum", [0.75], [0]),
    ]
    ops = [operator(0, [0, 1], [2], BO.AddOptions, S.AddOptionsT())]
    return Model(tensors, ops, [opcode(ADD)], [0, 1], [2], [b""])


def base_conv():
    # int8 CONV_2D, per-channel weights: [1,5,5,2] * [4,3,3,2] -> [1,3,3,4] (VALID)
    w = [((k * 53) % 251) - 125 for k in range(4 * 3 * 3 * 2)]
    ws = [0.01, 0.02, 0.03, 0.04]
    tensors = [
        tensor([1, 5, 5, 2], TT.INT8, 0, "input", [0.5], [0]),
        tensor([4, 3, 3, 2], TT.INT8, 1, "filter", ws, [0] * 4, qdim=0),
        tensor([4], TT.INT32, 2, "bias", [0.5 * s for s in ws], [0] * 4),
        tensor([1, 3, 3, 4], TT.INT8, 0, "output", [0.1], [-5]),
    ]
    opt = S.Conv2DOptionsT()
    opt.padding = 1
    opt.strideW = 1
    opt.strideH = 1
    ops = [operator(0, [0, 1, 2], [3], BO.Conv2DOptions, opt)]
    return Model(tensors, ops, [opcode(CONV_2D, 3)], [0], [3], [b"", i8(w), i32([10, -20, 30, -40])])


def base_reshape():
    shape = i32([1, 6])
    tensors = [
        tensor([1, 2, 3], TT.INT8, 0, "input", [0.5], [0]),
        tensor([2], TT.INT32, 1, "shape"),
        tensor([1, 6], TT.INT8, 0, "output", [0.5], [0]),
    ]
    opt = S.ReshapeOptionsT()
    opt.newShape = [1, 6]
    ops = [operator(0, [0, 1], [2], BO.ReshapeOptions, opt)]
    return Model(tensors, ops, [opcode(RESHAPE)], [0], [2], [b"", shape])


# ---- reading and patching packed flatbuffers ------------------------------

def u16(b, p):
    return struct.unpack_from("<H", b, p)[0]


def u32(b, p):
    return struct.unpack_from("<I", b, p)[0]


def s32(b, p):
    return struct.unpack_from("<i", b, p)[0]


def put32(b, p, v):
    struct.pack_into("<I", b, p, v & 0xFFFFFFFF)


def put16(b, p, v):
    struct.pack_into("<H", b, p, v & 0xFFFF)


def vtable(b, t):
    return t - s32(b, t)


def field_pos(b, t, field):
    vt = vtable(b, t)
    slot = 4 + 2 * field
    if slot + 2 > u16(b, vt):
        return None
    fo = u16(b, vt + slot)
    return t + fo if fo else None


def deref(b, p):
    return p + u32(b, p)


def ref_field(b, t, field):
    """Position of the uoffset stored in field, and its target."""
    p = field_pos(b, t, field)
    assert p is not None, "field %d absent" % field
    return p, deref(b, p)


def vec_elem_table(b, v, i):
    return deref(b, v + 4 + 4 * i)


# Schema field indices.
M_VERSION, M_OPCODES, M_SUBGRAPHS, M_DESC, M_BUFFERS = 0, 1, 2, 3, 4
SG_TENSORS, SG_INPUTS, SG_OUTPUTS, SG_OPS = 0, 1, 2, 3
T_SHAPE, T_TYPE, T_BUFFER, T_NAME, T_QUANT = 0, 1, 2, 3, 4
Q_SCALE, Q_ZP = 2, 3
OP_INPUTS = 1
BUF_DATA = 0


def root(b):
    return u32(b, 0)


def subgraph0(b):
    _, v = ref_field(b, root(b), M_SUBGRAPHS)
    return vec_elem_table(b, v, 0)


def tensor_table(b, i):
    _, v = ref_field(b, subgraph0(b), SG_TENSORS)
    return vec_elem_table(b, v, i)


def buffer_table(b, i):
    _, v = ref_field(b, root(b), M_BUFFERS)
    return vec_elem_table(b, v, i)


def append_misaligned(b, payload, mod, rem):
    """Append payload at an offset p with p % mod == rem; returns p."""
    while len(b) % mod != rem:
        b.append(0xEE)
    p = len(b)
    b.extend(payload)
    return p


def repoint(b, ref_pos, target):
    assert target > ref_pos
    put32(b, ref_pos, target - ref_pos)


# ---- the corpus --------------------------------------------------------------

CASES = []  # (name, bytes, expected status)


def case(name, data, expected):
    data = bytes(data)
    assert len(data) < MAX_FILE, name
    assert not any(n == name for n, _, _ in CASES), name
    CASES.append((name, data, expected))


def variant(base, edit):
    m = base()
    edit(m)
    return m.pack()


def header_cases():
    fc = base_fc().pack()
    case("empty", b"", "TFLM_ERR_MODEL_TRUNCATED")
    case("short_7_bytes", fc[:7], "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    b[4:8] = b"TFL2"
    case("ident_tfl2", b, "TFLM_ERR_MODEL_IDENT")
    b = bytearray(fc)
    b[4:8] = b"\0\0\0\0"
    case("ident_zero", b, "TFLM_ERR_MODEL_IDENT")
    x = 0x12345678
    rnd = bytearray()
    for _ in range(256):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        rnd.append(x & 0xFF)
    case("random_bytes", rnd, "TFLM_ERR_MODEL_IDENT")
    rnd[4:8] = b"TFL3"
    put32(rnd, 0, 0x7FFFFFF0)
    case("random_bytes_tfl3", rnd, "TFLM_ERR_MODEL_TRUNCATED")
    for v, name in ((2, "version_2"), (4, "version_4"), (0xFFFFFFFF, "version_huge")):
        def ed(m, v=v):
            m.version = v
        case(name, variant(base_fc, ed), "TFLM_ERR_MODEL_VERSION")
    case("version_absent", variant(base_fc, lambda m: setattr(m, "version", 0)), "TFLM_ERR_MODEL_VERSION")
    b = bytearray(fc)
    put32(b, 0, len(b) + 8)
    case("root_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, 0, 0xFFFFFFFC)
    case("root_offset_huge", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, 0, 0)
    case("root_offset_zero", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put32(b, 0, root(fc) + 2)
    case("root_misaligned", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put32(b, 0, 4)
    case("root_on_identifier", b, "TFLM_ERR_MODEL_CORRUPT")


def vtable_cases():
    fc = base_fc().pack()
    r = root(fc)
    vt = vtable(fc, r)

    b = bytearray(fc)
    put32(b, r, r + 64)  # vtable at a negative position
    case("vtable_before_start", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put32(b, r, r - len(fc) - 64)  # vtable past the end
    case("vtable_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, r, 0x80000000)
    case("vtable_soffset_min", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, r, 0)  # the table is its own vtable: vtable size 0
    case("vtable_self", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put16(b, vt, 5)
    case("vtable_size_odd", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put16(b, vt, 2)
    case("vtable_size_too_small", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put16(b, vt, 0xFFFE)
    case("vtable_size_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put16(b, vt + 2, 0xFFFF)
    case("table_size_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put16(b, vt + 2, 2)
    case("table_size_too_small", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put16(b, vt + 4 + 2 * M_SUBGRAPHS, u16(fc, vt + 2))  # field starts at the table's end
    case("vtable_field_outside_table", b, "TFLM_ERR_MODEL_CORRUPT")
    # The same on a tensor table deeper in the file.
    b = bytearray(fc)
    t = tensor_table(fc, 1)
    tvt = vtable(fc, t)
    put16(b, tvt + 4 + 2 * T_BUFFER, 0xFFF0)
    case("tensor_vtable_field_outside_table", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    put32(b, t, t + 1024)
    case("tensor_vtable_before_start", b, "TFLM_ERR_MODEL_CORRUPT")


def vector_cases():
    fc = base_fc().pack()
    r = root(fc)
    sg = subgraph0(fc)

    def huge_count(name, table, field, count=0x7FFFFFFF):
        b = bytearray(fc)
        _, v = ref_field(fc, table, field)
        put32(b, v, count)
        case(name, b, "TFLM_ERR_MODEL_TRUNCATED")

    huge_count("subgraphs_count_huge", r, M_SUBGRAPHS)
    huge_count("opcodes_count_huge", r, M_OPCODES)
    huge_count("buffers_count_huge", r, M_BUFFERS)
    huge_count("buffers_count_4g", r, M_BUFFERS, 0xFFFFFFFF)
    huge_count("description_length_huge", r, M_DESC)
    huge_count("tensors_count_huge", sg, SG_TENSORS)
    huge_count("tensors_count_wraps_32bit", sg, SG_TENSORS, 0x40000001)
    huge_count("sg_inputs_count_huge", sg, SG_INPUTS)
    huge_count("operators_count_huge", sg, SG_OPS)
    huge_count("shape_count_huge", tensor_table(fc, 0), T_SHAPE, 0x40000000)
    huge_count("name_length_huge", tensor_table(fc, 3), T_NAME)
    _, ops = ref_field(fc, sg, SG_OPS)
    huge_count("op_inputs_count_huge", vec_elem_table(fc, ops, 0), OP_INPUTS)
    huge_count("buffer_data_length_huge", buffer_table(fc, 1), BUF_DATA)

    b = bytearray(fc)
    p, _ = ref_field(fc, r, M_SUBGRAPHS)
    put32(b, p, 0)  # offset 0: the reference points at itself
    case("subgraphs_ref_self", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    p, _ = ref_field(fc, sg, SG_TENSORS)
    put32(b, p, 0)
    case("tensors_ref_self", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    _, v = ref_field(fc, r, M_SUBGRAPHS)
    put32(b, v + 4, 0xFFFFFF00)
    case("subgraph_elem_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    _, v = ref_field(fc, sg, SG_TENSORS)
    put32(b, v + 4 + 4 * 2, len(fc))
    case("tensor_elem_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, v + 4 + 4 * 2, 0)  # element offset 0: the tensor "table" is the offset itself
    case("tensor_elem_self", b, "TFLM_ERR_MODEL_CORRUPT")
    b = bytearray(fc)
    p, _ = ref_field(fc, tensor_table(fc, 0), T_QUANT)
    put32(b, p, 0x7FFFFFF0)
    case("quant_ref_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    p, _ = ref_field(fc, vec_elem_table(fc, ops, 0), 4)  # builtin_options
    put32(b, p, 0x7FFFFFF0)
    case("options_ref_past_end", b, "TFLM_ERR_MODEL_TRUNCATED")
    b = bytearray(fc)
    put32(b, p, 0)
    case("options_ref_self", b, "TFLM_ERR_MODEL_CORRUPT")


def misaligned_cases():
    fc = base_fc().pack()
    # The shape vector of tensor 0 moved to an offset that is 2 mod 4.
    b = bytearray(fc)
    p, v = ref_field(fc, tensor_table(fc, 0), T_SHAPE)
    n = u32(fc, v)
    q = append_misaligned(b, fc[v:v + 4 + 4 * n], 4, 2)
    repoint(b, p, q)
    case("shape_vector_misaligned", b, "TFLM_ERR_MODEL_ALIGN")
    # int32 bias data at an odd address.
    b = bytearray(fc)
    p, v = ref_field(fc, buffer_table(fc, 2), BUF_DATA)
    q = append_misaligned(b, fc[v:v + 4 + u32(fc, v)], 4, 1)
    repoint(b, p, q)
    case("const_int32_misaligned", b, "TFLM_ERR_MODEL_ALIGN")
    # Scale vector (float32) at an address that is 2 mod 4.
    b = bytearray(fc)
    qt = deref(fc, field_pos(fc, tensor_table(fc, 3), T_QUANT))
    p, v = ref_field(fc, qt, Q_SCALE)
    q = append_misaligned(b, fc[v:v + 8], 4, 2)
    repoint(b, p, q)
    case("scale_vector_misaligned", b, "TFLM_ERR_MODEL_ALIGN")
    # Zero-point vector (int64) aligned to 4 but not 8.
    b = bytearray(fc)
    p, v = ref_field(fc, qt, Q_ZP)
    q = append_misaligned(b, fc[v:v + 12], 8, 0)  # elements at q + 4: 4 mod 8
    repoint(b, p, q)
    case("zero_point_vector_misaligned", b, "TFLM_ERR_MODEL_ALIGN")


def truncation_cases():
    sources = [("fc", bytes(base_fc().pack())), ("conv", bytes(base_conv().pack()))]
    for name in ("hello_world_int8", "simple_add_model"):
        path = os.path.join(SHARED_MODELS, name + ".tflite")
        if not os.path.exists(path):
            sys.exit("gen_hostile: %s missing (the corpus derives files from it)" % path)
        with open(path, "rb") as f:
            sources.append((name, f.read()))
    for name, data in sources:
        n = len(data)
        cuts = sorted({8, 12, 16, 24, 32, 48, 64, 100, n // 4, n // 3, n // 2, 2 * n // 3, 3 * n // 4, n - 64, n - 16, n - 8, n - 5})
        for c in cuts:
            if 8 <= c < n:
                case("trunc_%s_%d" % (name, c), data[:c], "TFLM_ERR_MODEL_TRUNCATED")


def structure_cases():
    def ed_sg_none(m):
        m.subgraphs = []
    case("zero_subgraphs", variant(base_fc, ed_sg_none), "TFLM_ERR_SUBGRAPHS")

    def idx(field, k, v):
        def ed(m):
            getattr(m.ops[0], field)[k] = v
        return ed
    case("op_input_index_oob", variant(base_fc, idx("inputs", 0, 4)), "TFLM_ERR_MODEL_CORRUPT")
    case("op_input_index_huge", variant(base_fc, idx("inputs", 1, 0x7FFFFFFF)), "TFLM_ERR_MODEL_CORRUPT")
    case("op_input_index_negative", variant(base_fc, idx("inputs", 1, -2)), "TFLM_ERR_MODEL_CORRUPT")
    case("op_output_index_oob", variant(base_fc, idx("outputs", 0, 4)), "TFLM_ERR_MODEL_CORRUPT")
    case("op_output_index_minus1", variant(base_fc, idx("outputs", 0, -1)), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.ops[0].outputs = []
    case("op_no_outputs", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.ops[0].inputs = [0, 1, 2] + [-1] * 22
    case("op_25_inputs", variant(base_fc, ed), "TFLM_ERR_MODEL_LIMIT")

    def ed(m):
        m.inputs = [7]
    case("sg_input_index_oob", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.inputs = [-1]
    case("sg_input_index_minus1", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.outputs = [4]
    case("sg_output_index_oob", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.ops[0].opcodeIndex = 1
    case("opcode_index_oob", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.ops[0].opcodeIndex = 0xFFFFFFFF
    case("opcode_index_4g", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.opcodes = []
    case("no_opcodes", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.tensors[1].buffer = 3
    case("buffer_index_oob", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.tensors[1].buffer = 0xFFFFFFFF
    case("buffer_index_4g", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.buffers = []
    case("no_buffers_but_const", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.buffers[1] = m.buffers[1][:11]
    case("const_data_short", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.buffers[2] = m.buffers[2][:4]
    case("const_bias_data_short", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.buffers[1] = (1 << 40, 12)
    case("external_buffer_past_end", variant(base_fc, ed), "TFLM_ERR_MODEL_TRUNCATED")

    def ed(m):
        m.buffers[1] = (64, 0xFFFFFFFFFFFF)
    case("external_buffer_size_huge", variant(base_fc, ed), "TFLM_ERR_MODEL_TRUNCATED")

    def ed(m):
        m.ops[0].outputs = [1]
    case("op_writes_constant", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.ops[0].outputs = [0]
    case("op_writes_model_input", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")

    def ed(m):
        m.inputs = [1]
    case("model_input_is_constant", variant(base_fc, ed), "TFLM_ERR_MODEL_CORRUPT")


def shape_and_type_cases():
    def shp(k, shape):
        def ed(m):
            m.tensors[k].shape = shape
        return ed
    case("shape_negative_dim", variant(base_fc, shp(0, [-1, 4])), "TFLM_ERR_BAD_SHAPE")
    case("shape_int32_min_dim", variant(base_fc, shp(3, [1, -2147483648])), "TFLM_ERR_BAD_SHAPE")
    case("shape_7_dims", variant(base_fc, shp(0, [1, 1, 1, 1, 1, 1, 4])), "TFLM_ERR_MODEL_LIMIT")
    case("shape_elems_overflow_64bit", variant(base_fc, shp(3, [65536, 65536, 65536, 65536, 65536])), "TFLM_ERR_MODEL_LIMIT")
    case("shape_elems_over_2g", variant(base_fc, shp(3, [65536, 32768])), "TFLM_ERR_MODEL_LIMIT")
    # 2^29 float32 elements: the count fits, the byte size (2^31) does not.
    case("shape_bytes_over_2g", variant(base_add_float, shp(2, [1 << 29])), "TFLM_ERR_MODEL_LIMIT")

    def typ(k, t):
        def ed(m):
            m.tensors[k].type = t
        return ed
    case("type_string", variant(base_fc, typ(3, TT.STRING)), "TFLM_ERR_UNSUPPORTED_TYPE")
    case("type_complex64", variant(base_fc, typ(0, TT.COMPLEX64)), "TFLM_ERR_UNSUPPORTED_TYPE")
    case("type_unknown_99", variant(base_fc, typ(0, 99)), "TFLM_ERR_UNSUPPORTED_TYPE")

    def ed(m):
        sp = S.SparsityParametersT()
        sp.traversalOrder = [0, 1]
        m.tensors[1].sparsity = sp
    case("sparse_tensor", variant(base_fc, ed), "TFLM_ERR_UNSUPPORTED_TYPE")


def base_add_float():
    tensors = [
        tensor([1, 4], TT.FLOAT32, 0, "a"),
        tensor([1, 4], TT.FLOAT32, 0, "b"),
        tensor([1, 4], TT.FLOAT32, 0, "sum"),
    ]
    ops = [operator(0, [0, 1], [2], BO.AddOptions, S.AddOptionsT())]
    return Model(tensors, ops, [opcode(ADD)], [0, 1], [2], [b""])


def quant_cases():
    def q(k, **kw):
        def ed(m):
            qp = m.tensors[k].quantization
            for key, v in kw.items():
                setattr(qp, key, v)
        return ed
    case("per_channel_count_mismatch", variant(base_conv, q(1, scale=[0.01, 0.02, 0.03], zeroPoint=[0, 0, 0])), "TFLM_ERR_BAD_QUANT")
    case("per_channel_more_scales_than_elems", variant(base_fc, q(2, scale=[0.1] * 4, zeroPoint=[0] * 4)), "TFLM_ERR_BAD_QUANT")
    case("per_channel_qdim_negative", variant(base_conv, q(1, quantizedDimension=-1)), "TFLM_ERR_BAD_QUANT")
    case("per_channel_qdim_wrong_axis", variant(base_conv, q(1, quantizedDimension=3)), "TFLM_ERR_BAD_QUANT")
    case("zero_point_count_mismatch", variant(base_conv, q(1, zeroPoint=[0, 0])), "TFLM_ERR_BAD_QUANT")
    case("scale_negative", variant(base_fc, q(3, scale=[-1.0])), "TFLM_ERR_BAD_QUANT")
    case("scale_nan", variant(base_fc, q(0, scale=[float("nan")])), "TFLM_ERR_BAD_QUANT")
    case("scale_inf", variant(base_fc, q(1, scale=[float("inf")])), "TFLM_ERR_BAD_QUANT")
    case("per_channel_scale_nan", variant(base_conv, q(1, scale=[0.01, float("nan"), 0.03, 0.04])), "TFLM_ERR_BAD_QUANT")

    case("zero_point_int8_200", variant(base_fc, q(3, zeroPoint=[200])), "TFLM_ERR_BAD_QUANT")
    case("zero_point_int8_minus129", variant(base_fc, q(0, zeroPoint=[-129])), "TFLM_ERR_BAD_QUANT")
    case("zero_point_int8_2pow40", variant(base_fc, q(0, zeroPoint=[1 << 40])), "TFLM_ERR_BAD_QUANT")
    case("zero_point_int32_bias_2pow33", variant(base_fc, q(2, zeroPoint=[1 << 33])), "TFLM_ERR_BAD_QUANT")
    case("per_channel_zero_point_int8_300", variant(base_conv, q(1, zeroPoint=[0, 0, 300, 0])), "TFLM_ERR_BAD_QUANT")

    def ed(m):
        for t in m.tensors:
            t.type = TT.INT16
        m.tensors[0].quantization.zeroPoint = [40000]
    case("zero_point_int16_40000", variant(base_add, ed), "TFLM_ERR_BAD_QUANT")

    def ed(m):
        qp = m.tensors[1].quantization
        cq = S.CustomQuantizationT()
        cq.custom = [1, 2, 3]
        qp.detailsType = S.QuantizationDetails.CustomQuantization
        qp.details = cq
    case("custom_quantization", variant(base_fc, ed), "TFLM_ERR_BAD_QUANT")

    def ed(m):
        m.tensors[3].quantization = None
    case("fc_output_not_quantized", variant(base_fc, ed), "TFLM_ERR_BAD_QUANT")


def op_cases():
    def oc(code, version=1, custom=None):
        def ed(m):
            m.opcodes = [opcode(code, version, custom)]
        return ed
    case("unsupported_builtin_999", variant(base_fc, oc(999)), "TFLM_ERR_UNSUPPORTED_OP")
    case("unsupported_builtin_cumsum", variant(base_fc, oc(CUMSUM)), "TFLM_ERR_UNSUPPORTED_OP")
    case("unsupported_builtin_negative", variant(base_fc, oc(-5)), "TFLM_ERR_UNSUPPORTED_OP")
    case("unsupported_custom", variant(base_fc, oc(CUSTOM, 1, "Evil\x01Op\xffname_longer_than_32_bytes_here")), "TFLM_ERR_UNSUPPORTED_OP")
    case("unsupported_custom_no_name", variant(base_fc, oc(CUSTOM)), "TFLM_ERR_UNSUPPORTED_OP")

    def ed(m):
        m.tensors[1].shape = [3, 5]
        m.buffers[1] = m.buffers[1] + b"\0\0\0"
    case("fc_weight_shape_wrong", variant(base_fc, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.tensors[2].shape = [2]
    case("fc_bias_shape_wrong", variant(base_fc, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.tensors[3].shape = [1, 4]
    case("fc_output_shape_wrong", variant(base_fc, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.tensors[1].type = TT.FLOAT32
        m.tensors[1].quantization = None
        m.buffers[1] = m.buffers[1] * 4
    case("fc_weights_float_input_int8", variant(base_fc, ed), "TFLM_ERR_UNSUPPORTED_TYPE")

    def ed(m):
        m.ops[0].inputs = [0]
    case("fc_missing_weights", variant(base_fc, ed), "TFLM_ERR_BAD_PARAM")

    def ed(m):
        m.ops[0].builtinOptions.fusedActivationFunction = 77
    case("fc_activation_invalid", variant(base_fc, ed), "TFLM_ERR_BAD_PARAM")

    def ed(m):
        m.tensors[1].shape = [4, 3, 3, 3]
        m.buffers[1] = m.buffers[1] + bytes(36)
    case("conv_filter_channels_wrong", variant(base_conv, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.ops[0].builtinOptions.strideW = 0
    case("conv_stride_zero", variant(base_conv, ed), "TFLM_ERR_BAD_PARAM")

    def ed(m):
        m.ops[0].builtinOptions.padding = 7
    case("conv_padding_invalid", variant(base_conv, ed), "TFLM_ERR_BAD_PARAM")

    def ed(m):
        m.ops[0].builtinOptions.dilationHFactor = 0
    case("conv_dilation_zero", variant(base_conv, ed), "TFLM_ERR_BAD_PARAM")

    def ed(m):
        m.tensors[3].shape = [1, 5, 5, 4]
    case("conv_output_shape_wrong", variant(base_conv, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.tensors[1].shape = [1, 3, 3, 2]
    case("add_not_broadcastable", variant(base_add, ed), "TFLM_ERR_BAD_SHAPE")

    def ed(m):
        m.tensors[1].type = TT.INT16
    case("add_mixed_types", variant(base_add, ed), "TFLM_ERR_UNSUPPORTED_TYPE")

    def ed(m):
        m.tensors[2].shape = [1, 7]
        m.ops[0].builtinOptions.newShape = [1, 7]
        m.buffers[1] = i32([1, 7])
    case("reshape_count_mismatch", variant(base_reshape, ed), "TFLM_ERR_BAD_SHAPE")

    # Shape input computed at run time and an output shape that cannot be it.
    def ed(m):
        m.tensors[1].buffer = 0
        m.tensors[2].shape = [1, 7]
        m.ops[0].builtinOptions = None
        m.ops[0].builtinOptionsType = 0
        m.inputs = [0, 1]
    case("reshape_run_time_shape", variant(base_reshape, ed), "TFLM_ERR_DYNAMIC")


def arena_cases():
    # Activations too big for the checker's 16 MB arena (fits the 2 GB limit).
    def ed(m):
        for t in m.tensors:
            t.shape = [1, 2048, 4096]
    case("arena_48mb_activations", variant(base_add, ed), "TFLM_ERR_ARENA_TOO_SMALL")

    # Three live 1 GB tensors: the plan exceeds the engine's 2 GB arena limit.
    def ed(m):
        for t in m.tensors:
            t.shape = [1, 1 << 30]
    case("arena_over_2g", variant(base_add, ed), "TFLM_ERR_MODEL_LIMIT")


def planner_cases():
    # 1800 live model inputs sharing one tensor table (about 15 KB): the
    # planner placed them in O(n^3) steps (tens of seconds) before its fix.
    def ed(m):
        n = 1800
        m.tensor_refs = [0] * n
        m.inputs = list(range(n - 1))
        m.outputs = [n - 1]
        m.ops = [operator(0, [0, 1], [n - 1], BO.AddOptions, S.AddOptionsT())]
    case("ok_1800_live_tensors_one_table", variant(base_add, ed), "TFLM_OK")


def extreme_scale_cases():
    # Output scale so small that the requantisation multiplier saturates:
    # the reference wraps on a device; we must run without overflow UB
    # (found by the fuzzer in MUL).
    def ed(m):
        m.tensors[2].quantization.scale = [1e-30]
        m.tensors[2].quantization.zeroPoint = [-128]
        m.opcodes = [opcode(MUL)]
        m.ops[0].builtinOptionsType = BO.MulOptions
        m.ops[0].builtinOptions = S.MulOptionsT()
    case("ok_mul_tiny_output_scale", variant(base_add, ed), "TFLM_OK")


def tolerated_cases():
    # Odd but memory-safe graphs the engine runs (garbage in, garbage out).
    case("ok_fc", base_fc().pack(), "TFLM_OK")
    case("ok_add", base_add().pack(), "TFLM_OK")
    case("ok_conv_per_channel", base_conv().pack(), "TFLM_OK")
    case("ok_reshape", base_reshape().pack(), "TFLM_OK")

    def ed(m):
        m.ops[0].inputs = [0, 1, -1]
    case("ok_fc_no_bias", variant(base_fc, ed), "TFLM_OK")

    def ed(m):
        m.ops[0].inputs = [0, 2]   # reads its own output before writing it
    case("ok_add_reads_own_output", variant(base_add, ed), "TFLM_OK")

    def ed(m):
        m.ops.append(operator(0, [0, 1], [2], BO.AddOptions, S.AddOptionsT()))
    case("ok_two_ops_write_one_tensor", variant(base_add, ed), "TFLM_OK")

    def ed(m):
        m.ops = []
        m.outputs = [0]
    case("ok_no_ops", variant(base_add, ed), "TFLM_OK")

    # Nothing to plan (every tensor variable): persistent op data must not
    # land at arena offset 0 (found by the fuzzer).
    def ed(m):
        for t in m.tensors:
            t.isVariable = True
    case("ok_all_tensors_variable", variant(base_add, ed), "TFLM_OK")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "hostile")
    header_cases()
    vtable_cases()
    vector_cases()
    misaligned_cases()
    truncation_cases()
    structure_cases()
    shape_and_type_cases()
    quant_cases()
    op_cases()
    arena_cases()
    planner_cases()
    extreme_scale_cases()
    tolerated_cases()
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".tflite"):
            os.remove(os.path.join(out, f))
    lines = ["# file expected-status (written by tests/fuzz/gen_hostile.py; checked by make test-hostile)"]
    for name, data, expected in CASES:
        with open(os.path.join(out, name + ".tflite"), "wb") as f:
            f.write(data)
        lines.append("%s.tflite %s" % (name, expected))
    with open(os.path.join(out, "expected.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("gen_hostile: %d files in %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
