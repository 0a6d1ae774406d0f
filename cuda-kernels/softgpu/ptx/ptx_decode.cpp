// From syntax to executable kernels: lays out parameters, .shared and .local variables and the
// slot array (special registers, declared registers, immediates), then decodes every statement:
// its opcode and modifiers pick a handler of ptx_ops.h, its operands are type-checked against the
// instruction type as the PTX ISA requires (same size, and a float type only on .f or .b
// registers; ld, st and cvt may use wider integer registers) and turned into slots. Whatever the
// interpreter does not implement, or PTX does not allow, is an error naming the kernel, the line
// and the instruction.
#include "ptx_ops.h"
#include "ptx_parser.h"
#include "ptx_program.h"

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <set>

namespace softgpu::ptx {

const Kernel* Program::find(const std::string& name) const {
    for (const auto& k : kernels) {
        if (k->name == name) return k.get();
    }
    return nullptr;
}

namespace {

using namespace ops;

size_t alignUp(size_t v, size_t a) {
    return a <= 1 ? v : (v + a - 1) / a * a;
}

// The modifiers of an opcode ("setp.lt.s64" -> {"lt", "s64"}), consumed as they are recognised;
// any left over is an error.
struct Mods {
    std::vector<std::string> parts;

    bool take(const char* m) {
        auto it = std::find(parts.begin(), parts.end(), m);
        if (it == parts.end()) return false;
        parts.erase(it);
        return true;
    }
    std::string takeAny(std::initializer_list<const char*> options) {
        for (const char* o : options) {
            if (take(o)) return o;
        }
        return "";
    }
    std::vector<Type> takeTypes() {
        std::vector<Type> out;
        for (auto it = parts.begin(); it != parts.end();) {
            Type t = Type::parse(*it);
            if (t.valid()) {
                out.push_back(t);
                it = parts.erase(it);
            } else {
                ++it;
            }
        }
        return out;
    }
};

// Calls f.template operator()<T>() with the C++ type of an integer PTX type.
template <class F>
Handler withInt(Type t, F f) {
    switch (t.bits) {
        case 8: return t.kind == 's' ? f.template operator()<int8_t>() : f.template operator()<uint8_t>();
        case 16: return t.kind == 's' ? f.template operator()<int16_t>() : f.template operator()<uint16_t>();
        case 32: return t.kind == 's' ? f.template operator()<int32_t>() : f.template operator()<uint32_t>();
        case 64: return t.kind == 's' ? f.template operator()<int64_t>() : f.template operator()<uint64_t>();
        default: return nullptr;
    }
}

template <class F>
Handler withFloat(Type t, F f) {
    if (t.kind != 'f') return nullptr;
    if (t.bits == 32) return f.template operator()<float>();
    if (t.bits == 64) return f.template operator()<double>();
    return nullptr;
}

// Any integer or float type (ld, st, selp, cvt).
template <class F>
Handler withScalar(Type t, F f) {
    if (t.kind == 'f') return withFloat(t, f);
    return withInt(t, f);
}

template <class T, bool FTZ>
Handler setpFor(int cmp) {
    switch (cmp) {
        case EQ: return &setp<T, EQ, FTZ>;
        case NE: return &setp<T, NE, FTZ>;
        case LT: return &setp<T, LT, FTZ>;
        case LE: return &setp<T, LE, FTZ>;
        case GT: return &setp<T, GT, FTZ>;
        case GE: return &setp<T, GE, FTZ>;
        case LO: return &setp<T, LO, FTZ>;
        case LS: return &setp<T, LS, FTZ>;
        case HI: return &setp<T, HI, FTZ>;
        case HS: return &setp<T, HS, FTZ>;
        case EQU: return &setp<T, EQU, FTZ>;
        case NEU: return &setp<T, NEU, FTZ>;
        case LTU: return &setp<T, LTU, FTZ>;
        case LEU: return &setp<T, LEU, FTZ>;
        case GTU: return &setp<T, GTU, FTZ>;
        case GEU: return &setp<T, GEU, FTZ>;
        case NUM: return &setp<T, NUM, FTZ>;
        case NAN_: return &setp<T, NAN_, FTZ>;
        default: return nullptr;
    }
}

template <class T, bool FTZ>
Handler setpBoolFor(int cmp) {
    switch (cmp) {
        case EQ: return &setpBool<T, EQ, FTZ>;
        case NE: return &setpBool<T, NE, FTZ>;
        case LT: return &setpBool<T, LT, FTZ>;
        case LE: return &setpBool<T, LE, FTZ>;
        case GT: return &setpBool<T, GT, FTZ>;
        case GE: return &setpBool<T, GE, FTZ>;
        case LO: return &setpBool<T, LO, FTZ>;
        case LS: return &setpBool<T, LS, FTZ>;
        case HI: return &setpBool<T, HI, FTZ>;
        case HS: return &setpBool<T, HS, FTZ>;
        case EQU: return &setpBool<T, EQU, FTZ>;
        case NEU: return &setpBool<T, NEU, FTZ>;
        case LTU: return &setpBool<T, LTU, FTZ>;
        case LEU: return &setpBool<T, LEU, FTZ>;
        case GTU: return &setpBool<T, GTU, FTZ>;
        case GEU: return &setpBool<T, GEU, FTZ>;
        case NUM: return &setpBool<T, NUM, FTZ>;
        case NAN_: return &setpBool<T, NAN_, FTZ>;
        default: return nullptr;
    }
}

int roundingOf(const std::string& m) {
    if (m == "rn") return int(Round::NEAREST);
    if (m == "rz") return int(Round::ZERO);
    if (m == "rm") return int(Round::DOWN);
    if (m == "rp") return int(Round::UP);
    return -1;
}

int intRoundingOf(const std::string& m) {
    if (m == "rni") return int(IntRound::NEAREST);
    if (m == "rzi") return int(IntRound::ZERO);
    if (m == "rmi") return int(IntRound::DOWN);
    if (m == "rpi") return int(IntRound::UP);
    return -1;
}

class KernelBuilder {
public:
    KernelBuilder(const ModuleSyntax& m, KernelSyntax& ks, Program& program, Kernel& k)
        : m_(m), ks_(ks), program_(program), k_(k) {}

    bool build(std::string* error) {
        k_.name = ks_.name;
        k_.line = ks_.line;
        layoutParams();
        if (!layoutVariables()) return finish(error);
        layoutRegisters();
        for (const auto& [name, index] : ks_.labels) {
            if (labels_.count(name) != 0) {
                return failAt(ks_.line, name, "label " + name + " is defined twice") || finish(error);
            }
            labels_[name] = uint32_t(index);
        }
        k_.code.resize(ks_.statements.size());
        for (size_t i = 0; i < ks_.statements.size(); i++) {
            const Statement& s = ks_.statements[i];
            Instr& in = k_.code[i];
            in.site = uint32_t(k_.sites.size());
            std::string form = (s.guard.decl >= 0 ? "@p " : "") + s.opcode;
            k_.sites.push_back(Site{s.line, s.text, formIndex(form)});
            current_ = &s;
            if (!guard(s, in) || !decode(s, in)) return finish(error);
            if (in.fn == nullptr) {
                fail("internal error: no handler");
                return finish(error);
            }
        }
        // A kernel that runs off its end would execute garbage on a GPU; here it is an error.
        if (k_.code.empty() || !endsKernel(ks_.statements.back().opcode) || ks_.statements.back().guard.decl >= 0) {
            current_ = nullptr;
            failAt(ks_.line, "", "the body of " + k_.name + " does not end with an unconditional ret, exit or branch");
            return finish(error);
        }
        markPointerParams();
        k_.slots = nextSlot_;
        const char* coverage = std::getenv("FOVEA_SOFTGPU_PTX_COVERAGE");
        k_.track = coverage != nullptr && *coverage != '\0';
        k_.ran.reset(new std::atomic<uint8_t>[k_.code.size()]);
        for (size_t i = 0; i < k_.code.size(); i++) k_.ran[i].store(0, std::memory_order_relaxed);
        return finish(error);
    }

private:
    static bool endsKernel(const std::string& op) {
        return op == "ret" || op == "ret.uni" || op == "exit" || op == "bra" || op == "bra.uni" || op == "trap";
    }

    bool finish(std::string* error) {
        if (!error_.empty()) {
            *error = error_;
            return false;
        }
        return true;
    }

    uint32_t formIndex(const std::string& form) {
        auto it = std::find(program_.forms.begin(), program_.forms.end(), form);
        if (it != program_.forms.end()) return uint32_t(it - program_.forms.begin());
        program_.forms.push_back(form);
        return uint32_t(program_.forms.size() - 1);
    }

    bool failAt(int line, const std::string& text, const std::string& why) {
        if (error_.empty()) {
            error_ = "kernel " + k_.name + ", line " + std::to_string(line) + ": " +
                     (text.empty() ? std::string() : "`" + text + "`: ") + why;
        }
        return false;
    }
    bool fail(const std::string& why) {
        if (current_ == nullptr) return failAt(ks_.line, "", why);
        return failAt(current_->line, current_->text, why);
    }

    // ---- layout ------------------------------------------------------------------------------

    void layoutParams() {
        size_t offset = 0;
        for (const ParamDecl& p : ks_.params) {
            Param q;
            q.name = p.name;
            q.type = p.type.name();
            q.size = size_t(p.type.bytes()) * p.elements;
            q.align = std::max<size_t>(1, p.align);
            offset = alignUp(offset, q.align);
            q.offset = offset;
            offset += q.size;
            symbols_[p.name] = Symbol{Space::PARAM, q.offset};
            k_.params.push_back(q);
        }
        k_.paramBytes = offset;
    }

    bool layoutVariables() {
        size_t shared = 0;
        size_t local = 0;
        std::vector<const VariableDecl*> all;
        for (const VariableDecl& v : m_.variables) all.push_back(&v);
        for (const VariableDecl& v : ks_.variables) all.push_back(&v);
        std::vector<const VariableDecl*> dynamic;
        for (const VariableDecl* v : all) {
            if (symbols_.count(v->name) != 0 && v->space == "local") {
                return failAt(v->line, "", "variable " + v->name + " is declared twice");
            }
            size_t bytes = size_t(v->type.bytes()) * v->elements;
            if (v->unsized) {
                dynamic.push_back(v);
                continue;
            }
            if (v->space == "shared") {
                shared = alignUp(shared, v->align);
                symbols_[v->name] = Symbol{Space::SHARED, shared};
                shared += bytes;
            } else {
                local = alignUp(local, v->align);
                symbols_[v->name] = Symbol{Space::LOCAL, local};
                local += bytes;
            }
        }
        // Dynamic shared memory (extern .shared x[]) starts after the static variables.
        size_t start = alignUp(shared, 16);
        for (const VariableDecl* v : dynamic) symbols_[v->name] = Symbol{Space::SHARED, start};
        k_.sharedBytes = dynamic.empty() ? shared : start;
        k_.localBytes = local;
        return true;
    }

    void layoutRegisters() {
        nextSlot_ = SPECIAL_SLOTS;
        for (RegisterDecl& r : ks_.registers) {
            r.firstSlot = nextSlot_;
            nextSlot_ += uint32_t(std::max(1, r.count));
        }
        k_.constantBase = nextSlot_;
        // SLOT_ZERO and the special registers are written by the interpreter.
    }

    uint32_t constantSlot(uint64_t bits) {
        auto it = constants_.find(bits);
        if (it != constants_.end()) return it->second;
        uint32_t slot = nextSlot_++;
        k_.constants.push_back(bits);
        constants_[bits] = slot;
        return slot;
    }

    // A destination that is written but never read (the sink `_`).
    uint32_t scratchSlot() {
        return nextSlot_++;
    }

    // ---- operands ----------------------------------------------------------------------------

    const RegisterDecl& declOf(const RegisterRef& r) const {
        return ks_.registers[size_t(r.decl)];
    }
    uint32_t slotOf(const RegisterRef& r) const {
        return declOf(r).firstSlot + uint32_t(r.element);
    }
    std::string regName(const RegisterRef& r) const {
        const RegisterDecl& d = declOf(r);
        return d.count > 0 ? d.name + std::to_string(r.element) : d.name;
    }

    // Whether a register of type `reg` may be an operand of an instruction of type `ins`.
    static bool compatible(Type reg, Type ins, bool wider) {
        if (ins.kind == 'p' || reg.kind == 'p') return ins.kind == reg.kind;
        bool sizeOk = reg.bits == ins.bits || (wider && ins.kind != 'f' && reg.bits > ins.bits);
        if (!sizeOk) return false;
        if (ins.kind == 'f') return reg.kind == 'f' || reg.kind == 'b';
        if (ins.kind == 'u' || ins.kind == 's') return reg.kind != 'f';
        return true;  // .b instructions take any register of their size
    }

    bool checkRegister(const Operand& o, Type t, bool wider, const char* role) {
        Type rt = declOf(o.reg).type;
        if (!compatible(rt, t, wider)) {
            return fail(std::string(role) + " " + regName(o.reg) + " is a " + rt.name() + " register, which a " +
                        t.name() + " operand cannot be");
        }
        return true;
    }

    bool dst(const Operand& o, Type t, uint32_t* slot, bool wider = false) {
        if (o.kind == Operand::SINK) {
            *slot = scratchSlot();
            return true;
        }
        if (o.kind != Operand::REGISTER || o.negated || o.pair.decl >= 0) {
            return fail("the destination " + o.text + " must be a register");
        }
        if (!checkRegister(o, t, wider, "destination")) return false;
        *slot = slotOf(o.reg);
        return true;
    }

    // The bits of an immediate as a value of type t.
    bool immediate(const Operand& o, Type t, uint64_t* bits) {
        if (t.kind == 'p') {
            // nvcc writes true as -1 (mov.pred %p, -1): any non-zero integer is true.
            if (o.kind != Operand::INTEGER) return fail("a predicate immediate must be an integer");
            *bits = o.integer != 0 ? 1 : 0;
            return true;
        }
        if (t.kind == 'f') {
            double v;
            if (o.kind == Operand::INTEGER) {
                v = double(int64_t(o.integer));
            } else if (o.floatHexBits == 32) {
                if (t.bits == 32) {
                    *bits = o.floatBits;
                    return true;
                }
                v = double(floatOf(uint32_t(o.floatBits)));
            } else if (o.floatHexBits == 64) {
                if (t.bits == 64) {
                    *bits = o.floatBits;
                    return true;
                }
                v = doubleOf(o.floatBits);
            } else {
                v = o.real;
            }
            *bits = t.bits == 32 ? uint64_t(bitsOf(float(v))) : bitsOf(v);
            return true;
        }
        if (o.kind != Operand::INTEGER) return fail("the immediate " + o.text + " is not an integer");
        uint64_t v = o.integer;
        if (t.bits < 64) {
            uint64_t mask = (uint64_t(1) << t.bits) - 1;
            v &= mask;
            if (t.kind == 's' && (v >> (t.bits - 1)) != 0) v |= ~mask;  // sign-extended, as put() stores it
        }
        *bits = v;
        return true;
    }

    bool src(const Operand& o, Type t, uint32_t* slot, bool wider = false, bool symbols = false) {
        switch (o.kind) {
            case Operand::REGISTER:
                if (o.negated || o.pair.decl >= 0) return fail("the operand " + o.text + " is not allowed here");
                if (!checkRegister(o, t, wider, "operand")) return false;
                *slot = slotOf(o.reg);
                return true;
            case Operand::SPECIAL: {
                if (!compatible(Type{'u', 32}, t, wider) || t.kind == 'f') {
                    return fail("the special register " + o.text + " is .u32, not a " + t.name() + " operand");
                }
                static const std::map<std::string, uint32_t> specials = {
                    {"%tid.x", SLOT_TID_X}, {"%tid.y", SLOT_TID_Y}, {"%tid.z", SLOT_TID_Z},
                    {"%ntid.x", SLOT_NTID_X}, {"%ntid.y", SLOT_NTID_Y}, {"%ntid.z", SLOT_NTID_Z},
                    {"%ctaid.x", SLOT_CTAID_X}, {"%ctaid.y", SLOT_CTAID_Y}, {"%ctaid.z", SLOT_CTAID_Z},
                    {"%nctaid.x", SLOT_NCTAID_X}, {"%nctaid.y", SLOT_NCTAID_Y}, {"%nctaid.z", SLOT_NCTAID_Z},
                    {"%laneid", SLOT_LANEID}, {"%warpid", SLOT_WARPID}, {"%nwarpid", SLOT_NWARPID},
                };
                *slot = specials.at(o.name);
                return true;
            }
            case Operand::INTEGER:
            case Operand::FLOAT: {
                uint64_t bits = 0;
                if (!immediate(o, t, &bits)) return false;
                *slot = constantSlot(bits);
                return true;
            }
            case Operand::SYMBOL: {
                auto it = symbols_.find(o.name);
                if (!symbols || it == symbols_.end() || t.kind == 'f' || t.kind == 'p' || t.bits < 32) {
                    return fail("the operand " + o.text + " is not a register or immediate");
                }
                *slot = constantSlot(it->second.address);
                return true;
            }
            default: return fail("the operand " + o.text + " is not a register or immediate");
        }
    }

    bool pred(const Operand& o, uint32_t* slot) {
        return src(o, Type{'p', 1}, slot);
    }

    bool count(const Statement& s, size_t n) {
        if (s.operands.size() != n) {
            return fail(s.opcode + " takes " + std::to_string(n) + " operands, not " + std::to_string(s.operands.size()));
        }
        return true;
    }

    bool noneLeft(const Mods& m, const std::string& op) {
        if (!m.parts.empty()) return fail("the modifier ." + m.parts.front() + " of " + op + " is not supported");
        return true;
    }

    bool guard(const Statement& s, Instr& in) {
        if (s.guard.decl < 0) return true;
        if (declOf(s.guard).type.kind != 'p') return fail("the guard " + regName(s.guard) + " is not a .pred register");
        in.guard = slotOf(s.guard);
        in.guardNegated = s.guardNegated;
        return true;
    }

    // ---- decoding ----------------------------------------------------------------------------

    bool decode(const Statement& s, Instr& in) {
        Mods m;
        std::string op;
        {
            size_t start = 0;
            size_t dot = s.opcode.find('.');
            op = s.opcode.substr(0, dot);
            start = dot == std::string::npos ? s.opcode.size() : dot + 1;
            while (start < s.opcode.size()) {
                size_t next = s.opcode.find('.', start);
                if (next == std::string::npos) next = s.opcode.size();
                m.parts.push_back(s.opcode.substr(start, next - start));
                start = next + 1;
            }
        }
        if (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "rem" || op == "min" || op == "max" ||
            op == "and" || op == "or" || op == "xor" || op == "copysign") {
            return binaryOp(s, op, m, in);
        }
        if (op == "mad" || op == "fma") return fmaOp(s, op, m, in);
        if (op == "neg" || op == "abs" || op == "not" || op == "cnot" || op == "popc" || op == "clz" || op == "brev") {
            return unaryOp(s, op, m, in);
        }
        if (op == "sqrt" || op == "rcp" || op == "rsqrt" || op == "ex2" || op == "lg2" || op == "sin" || op == "cos" ||
            op == "tanh") {
            return functionOp(s, op, m, in);
        }
        if (op == "shl" || op == "shr") return shiftOp(s, op, m, in);
        if (op == "setp") return setpOp(s, m, in);
        if (op == "selp") return selpOp(s, m, in);
        if (op == "mov") return movOp(s, m, in);
        if (op == "cvt") return cvtOp(s, m, in);
        if (op == "cvta") return cvtaOp(s, m, in);
        if (op == "ld" || op == "st") return memoryOp(s, op, m, in);
        if (op == "atom" || op == "red") return atomOp(s, op, m, in);
        if (op == "bra") {
            m.take("uni");
            if (!noneLeft(m, op) || !count(s, 1)) return false;
            const Operand& target = s.operands[0];
            auto it = target.kind == Operand::SYMBOL ? labels_.find(target.name) : labels_.end();
            if (it == labels_.end()) return fail("the branch target " + target.text + " is not a label of " + k_.name);
            in.target = it->second;
            in.fn = &branch;
            return true;
        }
        if (op == "ret" || op == "exit") {
            m.take("uni");
            if (!noneLeft(m, op) || !count(s, 0)) return false;
            in.fn = &ops::exit;
            return true;
        }
        if (op == "trap") {
            if (!noneLeft(m, op) || !count(s, 0)) return false;
            in.fn = &trap;
            return true;
        }
        if (op == "bar" || op == "barrier") {
            m.take("cta");
            if (!m.take("sync")) return fail(s.opcode + " is not supported (bar.sync and barrier.sync are)");
            m.take("aligned");
            if (!noneLeft(m, op) || !count(s, 1)) return false;
            if (s.operands[0].kind != Operand::INTEGER || s.operands[0].integer > 15) {
                return fail("the barrier number must be an immediate 0..15");
            }
            k_.barriers = true;
            in.fn = &barrier;
            return true;
        }
        if (op == "membar" || op == "fence") {
            m.takeAny({"sc", "acq_rel"});
            m.takeAny({"cta", "gl", "gpu", "sys"});
            if (!noneLeft(m, op) || !count(s, 0)) return false;
            in.fn = &fence;
            return true;
        }
        return fail("unknown instruction " + s.opcode);
    }

    // add sub mul div rem min max and or xor copysign: d, a, b.
    bool binaryOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        std::string rnd = m.takeAny({"rn", "rz", "rm", "rp"});
        bool isApprox = m.take("approx");
        bool full = m.take("full");
        bool ftz = m.take("ftz");
        bool sat = m.take("sat");
        bool nanMode = m.take("NaN");
        std::string part = m.takeAny({"lo", "hi", "wide"});
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 3)) return false;
        Type dt = t;
        Type bt = t;
        if (part == "wide") dt = Type{t.kind, t.bits * 2};
        if (!dst(s.operands[0], dt, &in.op[0]) || !src(s.operands[1], t, &in.op[1]) || !src(s.operands[2], bt, &in.op[2])) {
            return false;
        }
        if (t.kind == 'p') {
            if (op != "and" && op != "or" && op != "xor") return fail(s.opcode + ": .pred is only for and/or/xor");
            in.fn = op == "and" ? &predAnd : op == "or" ? &predOr : &predXor;
            return true;
        }
        if (op == "and" || op == "or" || op == "xor") {
            if (t.kind != 'b' || t.bits < 16) return fail(s.opcode + " needs a .b16/.b32/.b64 or .pred type");
            in.fn = withInt(t, [&]<class T>() -> Handler {
                return op == "and" ? &binary<T, And<T>> : op == "or" ? &binary<T, Or<T>> : &binary<T, Xor<T>>;
            });
            return true;
        }
        if (op == "copysign") {
            if (t.kind != 'f') return fail("copysign needs .f32 or .f64");
            in.fn = withFloat(t, [&]<class F>() -> Handler { return &fcopysign<F>; });
            return true;
        }
        if (t.kind == 'f') {
            if (!part.empty()) return fail("." + part + " is for integer " + op);
            if (t.bits == 64 && (ftz || sat || isApprox || full)) return fail(s.opcode + ": not allowed for .f64");
            if (t.bits != 32 && t.bits != 64) return fail(s.opcode + ": only .f32 and .f64 are supported");
            int r = rnd.empty() ? int(Round::NEAREST) : roundingOf(rnd);
            in.mode = uint8_t(r);
            if (op == "min" || op == "max") {
                if (!rnd.empty() || sat || isApprox || full) return fail(s.opcode + ": modifier not allowed");
                in.mode = nanMode ? 1 : 0;
                bool mx = op == "max";
                in.fn = withFloat(t, [&]<class F>() -> Handler {
                    if (ftz) return mx ? &fminmax<F, true, true> : &fminmax<F, true, false>;
                    return mx ? &fminmax<F, false, true> : &fminmax<F, false, false>;
                });
                return true;
            }
            if (nanMode) return fail(".NaN is only for min/max");
            if (op == "rem") return fail("rem is an integer instruction");
            if (op == "div") {
                if (t.bits == 32 && isApprox) {
                    if (!rnd.empty() || sat || full) return fail(s.opcode + ": modifier not allowed");
                    in.fn = ftz ? &divApprox<true> : &divApprox<false>;
                    return true;
                }
                if (t.bits == 32 && full) {
                    if (!rnd.empty() || sat) return fail(s.opcode + ": modifier not allowed");
                    in.fn = ftz ? &divFull<true> : &divFull<false>;
                    return true;
                }
                if (rnd.empty()) return fail("div." + t.name().substr(1) + " needs .approx, .full or a rounding modifier");
                if (sat) return fail(".sat is not allowed for div");
            } else if (isApprox || full) {
                return fail(s.opcode + ": .approx/.full are only for div");
            }
            in.fn = withFloat(t, [&]<class F>() -> Handler {
                auto pick = [&]<class Op>() -> Handler {
                    if (ftz) return sat ? &fbinary<F, Op, true, true> : &fbinary<F, Op, true, false>;
                    return sat ? &fbinary<F, Op, false, true> : &fbinary<F, Op, false, false>;
                };
                if (op == "add") return pick.template operator()<FAdd<F>>();
                if (op == "sub") return pick.template operator()<FSub<F>>();
                if (op == "mul") return pick.template operator()<FMul<F>>();
                return pick.template operator()<FDiv<F>>();
            });
            return true;
        }
        // Integers.
        if (!rnd.empty() || isApprox || full || ftz || nanMode) return fail(s.opcode + ": modifier not allowed on integers");
        if (t.kind != 'u' && t.kind != 's') return fail(s.opcode + " needs a .u or .s type");
        if (t.bits < 16) return fail(s.opcode + ": 8-bit arithmetic does not exist in PTX");
        if (op == "mul") {
            if (part.empty()) return fail("integer mul needs .lo, .hi or .wide");
            if (sat) return fail(".sat is not supported for mul");
            if (part == "wide") {
                if (t.bits == 64) return fail("mul.wide takes 16- or 32-bit operands");
                in.fn = withInt(t, [&]<class T>() -> Handler { return &mulWide<T>; });
            } else {
                bool hi = part == "hi";
                in.fn = withInt(t, [&]<class T>() -> Handler { return hi ? &binary<T, MulHi<T>> : &binary<T, MulLo<T>>; });
            }
            return true;
        }
        if (!part.empty()) return fail("." + part + " is only for mul and mad");
        if (sat) return fail(".sat on integer " + op + " is not supported");
        in.fn = withInt(t, [&]<class T>() -> Handler {
            if (op == "add") return &binary<T, Add<T>>;
            if (op == "sub") return &binary<T, Sub<T>>;
            if (op == "div") return &binary<T, Div<T>>;
            if (op == "rem") return &binary<T, Rem<T>>;
            if (op == "min") return &binary<T, Min<T>>;
            return &binary<T, Max<T>>;
        });
        return true;
    }

    // mad/fma: d, a, b, c.
    bool fmaOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        std::string rnd = m.takeAny({"rn", "rz", "rm", "rp"});
        bool ftz = m.take("ftz");
        bool sat = m.take("sat");
        std::string part = m.takeAny({"lo", "hi", "wide"});
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 4)) return false;
        if (t.kind == 'f') {
            if (!part.empty()) return fail("." + part + " is for integer mad");
            // mad.f32 without a rounding modifier is not fused and not allowed for sm_20 and later.
            if (rnd.empty()) return fail(s.opcode + " needs a rounding modifier (.rn, .rz, .rm, .rp)");
            if (t.bits == 64 && (ftz || sat)) return fail(s.opcode + ": not allowed for .f64");
            if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1]) ||
                !src(s.operands[2], t, &in.op[2]) || !src(s.operands[3], t, &in.op[3])) {
                return false;
            }
            in.mode = uint8_t(roundingOf(rnd));
            in.fn = withFloat(t, [&]<class F>() -> Handler {
                if (ftz) return sat ? &ffma<F, true, true> : &ffma<F, true, false>;
                return sat ? &ffma<F, false, true> : &ffma<F, false, false>;
            });
            return in.fn != nullptr || fail(s.opcode + ": unsupported type");
        }
        if (op == "fma") return fail("fma is a floating-point instruction");
        if (!rnd.empty() || ftz || sat) return fail(s.opcode + ": modifier not supported on integer mad");
        if (t.kind != 'u' && t.kind != 's') return fail(s.opcode + " needs a .u or .s type");
        if (part.empty()) return fail("integer mad needs .lo, .hi or .wide");
        Type wide = part == "wide" ? Type{t.kind, t.bits * 2} : t;
        if (part == "wide" && t.bits == 64) return fail("mad.wide takes 16- or 32-bit operands");
        if (!dst(s.operands[0], wide, &in.op[0]) || !src(s.operands[1], t, &in.op[1]) ||
            !src(s.operands[2], t, &in.op[2]) || !src(s.operands[3], wide, &in.op[3])) {
            return false;
        }
        in.fn = withInt(t, [&]<class T>() -> Handler {
            if (part == "wide") return &madWide<T>;
            return part == "hi" ? &madHi<T> : &madLo<T>;
        });
        return true;
    }

    bool unaryOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        bool ftz = m.take("ftz");
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        Type dt = (op == "popc" || op == "clz") ? Type{'u', 32} : t;
        if (!dst(s.operands[0], dt, &in.op[0]) || !src(s.operands[1], t, &in.op[1])) return false;
        if (t.kind == 'p') {
            if (op != "not") return fail(s.opcode + ": .pred is only for not");
            in.fn = &predNot;
            return true;
        }
        if (t.kind == 'f') {
            if (op != "neg" && op != "abs") return fail(s.opcode + " is not a floating-point instruction");
            if (ftz && t.bits != 32) return fail(".ftz is only for .f32");
            bool neg = op == "neg";
            in.fn = withFloat(t, [&]<class F>() -> Handler {
                if (neg) return ftz ? &fneg<F, true> : &fneg<F, false>;
                return ftz ? &fabs_<F, true> : &fabs_<F, false>;
            });
            return in.fn != nullptr || fail(s.opcode + ": unsupported type");
        }
        if (ftz) return fail(".ftz is for floating point");
        if (t.bits < 16) return fail(s.opcode + ": 8-bit types are not allowed");
        if (op == "neg" || op == "abs") {
            if (t.kind != 's') return fail(s.opcode + " needs a signed type");
            bool neg = op == "neg";
            in.fn = withInt(t, [&]<class T>() -> Handler { return neg ? &unary<T, Neg<T>> : &unary<T, Abs<T>>; });
            return true;
        }
        if (t.kind != 'b') return fail(s.opcode + " needs a .b type");
        if (op == "not" || op == "cnot") {
            bool n = op == "not";
            in.fn = withInt(t, [&]<class T>() -> Handler { return n ? &unary<T, Not<T>> : &unary<T, CNot<T>>; });
            return true;
        }
        if (t.bits < 32) return fail(s.opcode + " needs .b32 or .b64");
        in.fn = withInt(t, [&]<class T>() -> Handler {
            if (op == "popc") return &popc<T>;
            if (op == "clz") return &clz<T>;
            return &brev<T>;
        });
        return true;
    }

    // sqrt rcp rsqrt ex2 lg2 sin cos tanh: d, a.
    bool functionOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        std::string rnd = m.takeAny({"rn", "rz", "rm", "rp"});
        bool isApprox = m.take("approx");
        bool ftz = m.take("ftz");
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1 || types[0].kind != 'f') return fail(s.opcode + " needs .f32 or .f64");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1])) return false;
        if ((op == "sqrt" || op == "rcp") && !rnd.empty()) {
            if (isApprox) return fail(s.opcode + ": .approx and a rounding modifier exclude each other");
            if (t.bits == 64 && ftz) return fail(".ftz is only for .f32");
            in.mode = uint8_t(roundingOf(rnd));
            bool sq = op == "sqrt";
            in.fn = withFloat(t, [&]<class F>() -> Handler {
                if (sq) return ftz ? &fsqrt<F, true> : &fsqrt<F, false>;
                return ftz ? &frcp<F, true> : &frcp<F, false>;
            });
            return in.fn != nullptr || fail("unsupported type");
        }
        if (!isApprox) return fail(s.opcode + " needs .approx" + (op == "sqrt" || op == "rcp" ? " or a rounding modifier" : ""));
        if (!rnd.empty()) return fail(s.opcode + ": .approx and a rounding modifier exclude each other");
        if (t.bits == 64) {
            if (op == "rcp" && ftz) {
                in.fn = &approx64<&rcpApprox64>;
                return true;
            }
            if (op == "rsqrt") {
                in.fn = &approx64<&rsqrtApprox64>;
                return true;
            }
            return fail(s.opcode + " is not supported for .f64");
        }
        if (op == "tanh" && ftz) return fail("tanh.approx has no .ftz");
        float (*fn)(float) = nullptr;
        if (op == "sqrt") fn = &sqrtApprox;
        if (op == "rcp") fn = &rcpApprox;
        if (op == "rsqrt") fn = &rsqrtApprox;
        if (op == "ex2") fn = &ex2Approx;
        if (op == "lg2") fn = &lg2Approx;
        if (op == "sin") fn = &sinApprox;
        if (op == "cos") fn = &cosApprox;
        if (op == "tanh") fn = &tanhApprox;
        static const std::map<float (*)(float), std::pair<Handler, Handler>> table = {
            {&sqrtApprox, {&approx<&sqrtApprox, false>, &approx<&sqrtApprox, true>}},
            {&rcpApprox, {&approx<&rcpApprox, false>, &approx<&rcpApprox, true>}},
            {&rsqrtApprox, {&approx<&rsqrtApprox, false>, &approx<&rsqrtApprox, true>}},
            {&ex2Approx, {&approx<&ex2Approx, false>, &approx<&ex2Approx, true>}},
            {&lg2Approx, {&approx<&lg2Approx, false>, &approx<&lg2Approx, true>}},
            {&sinApprox, {&approx<&sinApprox, false>, &approx<&sinApprox, true>}},
            {&cosApprox, {&approx<&cosApprox, false>, &approx<&cosApprox, true>}},
            {&tanhApprox, {&approx<&tanhApprox, false>, &approx<&tanhApprox, true>}},
        };
        const auto& pair = table.at(fn);
        in.fn = ftz ? pair.second : pair.first;
        return true;
    }

    bool shiftOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 3)) return false;
        if (t.kind == 'f' || t.kind == 'p' || t.bits < 16) return fail(s.opcode + " needs a 16-, 32- or 64-bit integer type");
        if (op == "shl" && t.kind != 'b') return fail("shl needs a .b type");
        if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1]) ||
            !src(s.operands[2], Type{'u', 32}, &in.op[2])) {
            return false;
        }
        bool left = op == "shl";
        in.fn = withInt(t, [&]<class T>() -> Handler { return left ? &shl<T> : &shr<T>; });
        return true;
    }

    bool setpOp(const Statement& s, Mods& m, Instr& in) {
        static const std::map<std::string, int> cmps = {
            {"eq", EQ}, {"ne", NE}, {"lt", LT}, {"le", LE}, {"gt", GT}, {"ge", GE}, {"lo", LO}, {"ls", LS},
            {"hi", HI}, {"hs", HS}, {"equ", EQU}, {"neu", NEU}, {"ltu", LTU}, {"leu", LEU}, {"gtu", GTU},
            {"geu", GEU}, {"num", NUM}, {"nan", NAN_}};
        int cmp = -1;
        for (auto it = m.parts.begin(); it != m.parts.end(); ++it) {
            auto c = cmps.find(*it);
            if (c != cmps.end()) {
                cmp = c->second;
                m.parts.erase(it);
                break;
            }
        }
        if (cmp < 0) return fail("setp needs a comparison");
        std::string boolOp = m.takeAny({"and", "or", "xor"});
        bool ftz = m.take("ftz");
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode)) return false;
        if (t.kind == 'p' || t.bits < 16) return fail(s.opcode + ": unsupported type");
        if (t.kind == 'f') {
            if (cmp >= LO && cmp <= HS) return fail(s.opcode + ": lo/ls/hi/hs are for unsigned integers");
            if (ftz && t.bits != 32) return fail(".ftz is only for .f32");
        } else {
            if (ftz) return fail(".ftz is for floating point");
            if (cmp >= EQU) return fail(s.opcode + ": unordered comparisons are for floating point");
            if (t.kind == 'b' && cmp != EQ && cmp != NE) return fail(s.opcode + ": a .b type only compares eq/ne");
            if (t.kind == 's' && cmp >= LO) return fail(s.opcode + ": lo/ls/hi/hs are for unsigned integers");
        }
        if (!count(s, boolOp.empty() ? 3 : 4)) return false;
        const Operand& d = s.operands[0];
        if (d.kind != Operand::REGISTER || d.negated || declOf(d.reg).type.kind != 'p') {
            return fail("setp writes a predicate register, not " + d.text);
        }
        in.op[0] = slotOf(d.reg);
        if (d.pair.decl >= 0) {
            if (declOf(d.pair).type.kind != 'p') return fail("setp's second destination must be a predicate");
            in.vec[0] = slotOf(d.pair);
        }
        if (!src(s.operands[1], t, &in.op[1]) || !src(s.operands[2], t, &in.op[2])) return false;
        if (!boolOp.empty()) {
            const Operand& c = s.operands[3];
            Operand plain = c;
            plain.negated = false;
            if (!pred(plain, &in.op[3])) return false;
            if (c.negated) in.flags |= FLAG_NEGATE_C;
            in.mode = boolOp == "and" ? 0 : boolOp == "or" ? 1 : 2;
            in.fn = withScalar(t, [&]<class T>() -> Handler {
                return ftz ? setpBoolFor<T, true>(cmp) : setpBoolFor<T, false>(cmp);
            });
        } else {
            in.fn = withScalar(t, [&]<class T>() -> Handler {
                return ftz ? setpFor<T, true>(cmp) : setpFor<T, false>(cmp);
            });
        }
        return in.fn != nullptr || fail(s.opcode + ": unsupported type");
    }

    bool selpOp(const Statement& s, Mods& m, Instr& in) {
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1 || types[0].kind == 'p' || types[0].bits < 16) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 4)) return false;
        if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1]) || !src(s.operands[2], t, &in.op[2]) ||
            !pred(s.operands[3], &in.op[3])) {
            return false;
        }
        in.fn = &select;
        return true;
    }

    bool movOp(const Statement& s, Mods& m, Instr& in) {
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        if (s.operands[0].kind == Operand::VECTOR || s.operands[1].kind == Operand::VECTOR) {
            return fail("mov with a vector operand (packing) is not supported");
        }
        if (t.kind != 'p' && t.bits < 16) return fail(s.opcode + ": 8-bit registers do not exist in PTX");
        if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1], false, true)) return false;
        in.fn = t.kind == 'p' ? &predCopy : &move;
        return true;
    }

    bool cvtOp(const Statement& s, Mods& m, Instr& in) {
        std::string irnd = m.takeAny({"rni", "rzi", "rmi", "rpi"});
        std::string frnd = m.takeAny({"rn", "rz", "rm", "rp"});
        bool ftz = m.take("ftz");
        bool sat = m.take("sat");
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 2) return fail("cvt needs a destination and a source type");
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        Type d = types[0];
        Type a = types[1];
        if (d.kind == 'p' || a.kind == 'p' || d.kind == 'b' || a.kind == 'b') return fail(s.opcode + ": unsupported types");
        if ((d.kind == 'f' && d.bits == 16) || (a.kind == 'f' && a.bits == 16)) return fail(s.opcode + ": .f16 is not supported");
        if (!irnd.empty() && !frnd.empty()) return fail(s.opcode + ": two rounding modifiers");
        if (ftz && d.kind != 'f' && a.kind != 'f') return fail(".ftz is for floating point");
        if (!dst(s.operands[0], d, &in.op[0], d.kind != 'f') || !src(s.operands[1], a, &in.op[1], a.kind != 'f')) {
            return false;
        }
        if (ftz) in.flags |= FLAG_FTZ;
        if (sat) in.flags |= FLAG_SAT;
        bool dFloat = d.kind == 'f';
        bool aFloat = a.kind == 'f';
        if (!dFloat && !aFloat) {
            if (!irnd.empty() || !frnd.empty()) return fail("integer-to-integer cvt takes no rounding modifier");
            in.fn = withInt(d, [&]<class D>() -> Handler {
                return withInt(a, [&]<class A>() -> Handler { return sat ? &cvtInt<D, A, true> : &cvtInt<D, A, false>; });
            });
            return true;
        }
        if (dFloat && !aFloat) {
            if (!irnd.empty()) return fail("integer-to-float cvt takes .rn/.rz/.rm/.rp");
            in.mode = uint8_t(frnd.empty() ? int(Round::NEAREST) : roundingOf(frnd));
            in.fn = withFloat(d, [&]<class F>() -> Handler {
                return withInt(a, [&]<class A>() -> Handler { return &cvtIntToFloat<F, A>; });
            });
            return true;
        }
        if (!dFloat && aFloat) {
            if (!frnd.empty()) return fail("float-to-integer cvt takes .rni/.rzi/.rmi/.rpi");
            in.mode = uint8_t(irnd.empty() ? int(IntRound::ZERO) : intRoundingOf(irnd));
            in.fn = withInt(d, [&]<class D>() -> Handler {
                return withFloat(a, [&]<class F>() -> Handler { return &cvtFloatToInt<D, F>; });
            });
            return true;
        }
        // Float to float.
        if (d.bits < a.bits) {
            if (!irnd.empty()) return fail("a narrowing float cvt takes .rn/.rz/.rm/.rp");
            in.mode = uint8_t(frnd.empty() ? int(Round::NEAREST) : roundingOf(frnd));
        } else {
            if (!frnd.empty()) return fail("a float cvt that does not narrow takes no .rn/.rz/.rm/.rp");
            if (!irnd.empty()) {
                if (d.bits != a.bits) return fail("rounding to an integral value needs the same type");
                in.mode = uint8_t(16 + intRoundingOf(irnd));
            }
        }
        in.fn = withFloat(d, [&]<class D>() -> Handler {
            return withFloat(a, [&]<class A>() -> Handler { return &cvtFloat<D, A>; });
        });
        return true;
    }

    bool cvtaOp(const Statement& s, Mods& m, Instr& in) {
        bool to = m.take("to");
        std::string space = m.takeAny({"global", "shared", "local", "const", "param"});
        std::vector<Type> types = m.takeTypes();
        if (space.empty()) return fail("cvta needs a state space");
        if (space == "const" || space == "param") return fail("cvta for ." + space + " is not supported");
        if (types.size() != 1 || (types[0].kind != 'u' && types[0].kind != 'b') || types[0].bits < 32) {
            return fail("cvta needs .u32 or .u64");
        }
        Type t = types[0];
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        if (!dst(s.operands[0], t, &in.op[0]) || !src(s.operands[1], t, &in.op[1], false, true)) return false;
        in.width = uint8_t(t.bytes());
        if (space == "global") {
            in.fn = &move;  // a global address is its own generic address
        } else if (space == "shared") {
            in.fn = to ? &cvtaWindow<true, true> : &cvtaWindow<true, false>;
        } else {
            in.fn = to ? &cvtaWindow<false, true> : &cvtaWindow<false, false>;
        }
        return true;
    }

    // The [base + offset] operand of ld/st/atom: base slot and byte offset. A named variable or
    // parameter must belong to the instruction's state space.
    bool addressOperand(const Operand& o, Space space, Instr& in) {
        if (o.kind != Operand::ADDRESS) return fail("expected an address [ ... ] but found " + o.text);
        in.offset = int64_t(o.integer);
        if (o.addressHasRegister) {
            Type rt = declOf(o.reg).type;
            if (rt.kind == 'p' || rt.kind == 'f' || rt.bits < 32) {
                return fail("the address register " + regName(o.reg) + " is a " + rt.name() + " register");
            }
            if (rt.bits != 64 && (space == Space::GLOBAL || space == Space::GENERIC)) {
                return fail("a 64-bit module addresses global memory with 64-bit registers, not " + regName(o.reg));
            }
            in.op[1] = slotOf(o.reg);
            return true;
        }
        in.op[1] = SLOT_ZERO;
        if (o.name.empty()) return true;  // an absolute address
        auto it = symbols_.find(o.name);
        if (it == symbols_.end()) return fail("unknown variable or parameter " + o.name);
        if (it->second.space != space) {
            return fail(o.name + " is not in the state space of " + current_->opcode);
        }
        in.offset += int64_t(it->second.address);
        return true;
    }

    static Space spaceOf(const std::string& s) {
        if (s == "global") return Space::GLOBAL;
        if (s == "shared") return Space::SHARED;
        if (s == "local") return Space::LOCAL;
        if (s == "param") return Space::PARAM;
        return Space::GENERIC;
    }

    template <class F>
    static Handler forSpace(Space s, F f) {
        switch (s) {
            case Space::GLOBAL: return f.template operator()<Space::GLOBAL>();
            case Space::SHARED: return f.template operator()<Space::SHARED>();
            case Space::LOCAL: return f.template operator()<Space::LOCAL>();
            case Space::PARAM: return f.template operator()<Space::PARAM>();
            default: return f.template operator()<Space::GENERIC>();
        }
    }

    bool memoryOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        bool isLoad = op == "ld";
        std::string spaceName = m.takeAny({"global", "shared", "local", "param", "const"});
        if (spaceName == "const") return fail("the .const state space is not supported");
        // Memory-consistency qualifiers and cache hints change nothing for an interpreter that runs
        // a block's threads one at a time and makes every access visible at once.
        m.takeAny({"weak", "volatile", "relaxed", "acquire", "release"});
        m.takeAny({"cta", "gpu", "sys"});
        m.takeAny({"ca", "cg", "cs", "lu", "cv", "wb", "wt"});
        bool nc = m.take("nc");
        std::string vec = m.takeAny({"v2", "v4"});
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1 || types[0].kind == 'p') return fail(s.opcode + " needs one type");
        if (!noneLeft(m, s.opcode) || !count(s, 2)) return false;
        if (nc && (!isLoad || spaceName != "global")) return fail(".nc is only for ld.global");
        Type t = types[0];
        if (t.kind == 'f' && t.bits == 16) return fail(s.opcode + ": .f16 is not supported");
        Space space = spaceOf(spaceName);
        if (space == Space::PARAM && !isLoad) return fail("st.param is only for device function calls");
        const Operand& addr = isLoad ? s.operands[1] : s.operands[0];
        const Operand& data = isLoad ? s.operands[0] : s.operands[1];
        if (!addressOperand(addr, space, in)) return false;
        // Integer loads and stores may use registers wider than the type (extended or truncated);
        // 8-bit values always travel in wider registers.
        bool wider = t.kind != 'f';
        if (!vec.empty()) {
            unsigned n = vec == "v2" ? 2 : 4;
            if (data.kind != Operand::VECTOR || data.elements.size() != n) {
                return fail(s.opcode + " needs a vector of " + std::to_string(n) + " registers");
            }
            in.count = uint8_t(n);
            for (unsigned k = 0; k < n; k++) {
                const Operand& e = data.elements[k];
                if (isLoad) {
                    if (e.kind == Operand::SINK) continue;
                    if (!dst(e, t, &in.vec[k], wider)) return false;
                } else if (!src(e, t, &in.vec[k], wider)) {
                    return false;
                }
            }
            in.fn = forSpace(space, [&]<Space S>() -> Handler {
                return withScalar(t, [&]<class T>() -> Handler { return isLoad ? &loadVector<S, T> : &storeVector<S, T>; });
            });
            return true;
        }
        if (isLoad) {
            if (!dst(data, t, &in.op[0], wider)) return false;
        } else if (!src(data, t, &in.op[2], wider)) {
            return false;
        }
        in.fn = forSpace(space, [&]<Space S>() -> Handler {
            return withScalar(t, [&]<class T>() -> Handler { return isLoad ? &load<S, T> : &store<S, T>; });
        });
        return true;
    }

    bool atomOp(const Statement& s, const std::string& op, Mods& m, Instr& in) {
        bool isRed = op == "red";
        m.takeAny({"relaxed", "acquire", "release", "acq_rel"});
        m.takeAny({"cta", "gpu", "sys"});
        std::string spaceName = m.takeAny({"global", "shared"});
        static const std::map<std::string, int> opsByName = {
            {"add", A_ADD}, {"min", A_MIN}, {"max", A_MAX}, {"exch", A_EXCH}, {"cas", A_CAS},
            {"and", A_AND}, {"or", A_OR}, {"xor", A_XOR}, {"inc", A_INC}, {"dec", A_DEC}};
        int aop = -1;
        for (auto it = m.parts.begin(); it != m.parts.end(); ++it) {
            auto f = opsByName.find(*it);
            if (f != opsByName.end()) {
                aop = f->second;
                m.parts.erase(it);
                break;
            }
        }
        if (aop < 0) return fail(s.opcode + " needs an operation (.add, .min, .max, .exch, .cas, ...)");
        std::vector<Type> types = m.takeTypes();
        if (types.size() != 1) return fail(s.opcode + " needs one type");
        Type t = types[0];
        if (!noneLeft(m, s.opcode)) return false;
        bool ok;
        switch (aop) {
            case A_ADD: ok = (t.kind == 'u' && t.bits >= 32) || (t.kind == 's' && t.bits == 32) || (t.kind == 'f' && t.bits >= 32); break;
            case A_MIN: case A_MAX: ok = (t.kind == 'u' || t.kind == 's') && t.bits >= 32; break;
            case A_INC: case A_DEC: ok = t.kind == 'u' && t.bits == 32; break;
            default: ok = t.kind == 'b' && t.bits >= 32; break;
        }
        if (!ok) return fail(s.opcode + ": the type does not fit the operation");
        if (isRed && aop == A_CAS) return fail("red has no .cas");
        size_t operands = (isRed ? 2 : 3) + (aop == A_CAS ? 1 : 0);
        if (!count(s, operands)) return false;
        size_t k = 0;
        if (!isRed) {
            if (!dst(s.operands[k++], t, &in.op[0])) return false;
        }
        Space space = spaceOf(spaceName);
        if (!addressOperand(s.operands[k++], space, in)) return false;
        if (!src(s.operands[k++], t, &in.op[2])) return false;
        if (aop == A_CAS && !src(s.operands[k++], t, &in.op[3])) return false;
        in.mode = uint8_t(aop);
        in.fn = forSpace(space, [&]<Space S>() -> Handler {
            if constexpr (S == Space::LOCAL || S == Space::PARAM) {
                return nullptr;
            } else {
                return withScalar(t, [&]<class T>() -> Handler {
                    if constexpr (sizeof(T) < 4) {
                        return nullptr;
                    } else {
                        return &atomic<S, T>;
                    }
                });
            }
        });
        return in.fn != nullptr || fail(s.opcode + ": unsupported");
    }

    // A .u64 parameter loaded and then converted with cvta.to.global is a pointer: the driver
    // checks it at launch as it does for the source route.
    void markPointerParams() {
        std::map<uint32_t, size_t> loadedFrom;  // slot -> parameter
        for (size_t i = 0; i < ks_.statements.size(); i++) {
            const Statement& s = ks_.statements[i];
            if (s.opcode.rfind("ld.param.", 0) != 0 || s.operands.size() != 2) continue;
            const Operand& a = s.operands[1];
            if (a.kind != Operand::ADDRESS || a.addressHasRegister || a.integer != 0) continue;
            for (size_t p = 0; p < k_.params.size(); p++) {
                if (k_.params[p].name == a.name && k_.params[p].size == 8) loadedFrom[k_.code[i].op[0]] = p;
            }
        }
        for (size_t i = 0; i < ks_.statements.size(); i++) {
            if (ks_.statements[i].opcode.rfind("cvta.to.global.", 0) != 0) continue;
            auto it = loadedFrom.find(k_.code[i].op[1]);
            if (it != loadedFrom.end()) k_.params[it->second].pointer = true;
        }
    }

    struct Symbol {
        Space space;
        uint64_t address;
    };

    const ModuleSyntax& m_;
    KernelSyntax& ks_;
    Program& program_;
    Kernel& k_;
    std::map<std::string, Symbol> symbols_;
    std::map<std::string, uint32_t> labels_;
    std::map<uint64_t, uint32_t> constants_;
    uint32_t nextSlot_ = SPECIAL_SLOTS;
    const Statement* current_ = nullptr;
    std::string error_;
};

}  // namespace

std::unique_ptr<Program> load(const std::string& text, const std::string& label, std::string* error) {
    ModuleSyntax syntax;
    std::string why;
    if (!parseModule(text, &syntax, &why)) {
        *error = "module " + label + ", " + why;
        return nullptr;
    }
    auto program = std::make_unique<Program>();
    program->label = label;
    std::set<std::string> names;
    for (KernelSyntax& ks : syntax.kernels) {
        if (!names.insert(ks.name).second) {
            *error = "module " + label + ", line " + std::to_string(ks.line) + ": entry " + ks.name + " is defined twice";
            return nullptr;
        }
        auto k = std::make_unique<Kernel>();
        KernelBuilder b(syntax, ks, *program, *k);
        if (!b.build(&why)) {
            *error = "module " + label + ", " + why;
            return nullptr;
        }
        program->kernels.push_back(std::move(k));
    }
    return program;
}

}  // namespace softgpu::ptx
