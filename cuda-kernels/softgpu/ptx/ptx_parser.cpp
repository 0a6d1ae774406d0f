// A hand-written lexer and recursive-descent parser for the PTX that nvcc emits (PTX ISA chapter
// "Syntax": statements end with ';', labels with ':', directives start with '.', registers with
// '%'; comments as in C). Anything outside the subset the interpreter implements is an error here
// or in the decoder, never skipped: only comments, .pragma, .loc/.file debug directives and the
// performance-tuning directives of an entry (.maxntid, ...) carry no meaning for execution.
#include "ptx_parser.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

namespace softgpu::ptx {

std::string Type::name() const {
    if (kind == 'p') return ".pred";
    return std::string(".") + kind + std::to_string(bits);
}

Type Type::parse(const std::string& m) {
    Type t;
    if (m == "pred") return Type{'p', 1};
    if (m.size() < 2) return t;
    char k = m[0];
    if (k != 'b' && k != 'u' && k != 's' && k != 'f') return t;
    std::string digits = m.substr(1);
    int bits = 0;
    if (digits == "8") bits = 8;
    else if (digits == "16") bits = 16;
    else if (digits == "32") bits = 32;
    else if (digits == "64") bits = 64;
    else return t;
    if (k == 'f' && bits == 8) return t;
    t.kind = k;
    t.bits = bits;
    return t;
}

namespace {

struct Token {
    enum Kind { END, WORD, NUMBER, PUNCT, STRING } kind = END;
    std::string text;
    int line = 0;
    size_t begin = 0;  // offset in the source
    size_t end = 0;
};

bool wordStart(char c) {
    return std::isalpha((unsigned char)c) || c == '_' || c == '$' || c == '%' || c == '.';
}

bool wordPart(char c) {
    return std::isalnum((unsigned char)c) || c == '_' || c == '$' || c == '.';
}

class Lexer {
public:
    explicit Lexer(const std::string& s) : s_(s) {}

    bool run(std::vector<Token>* out, std::string* error) {
        while (true) {
            skipSpace();
            if (!error_.empty()) {
                *error = error_;
                return false;
            }
            Token t;
            t.line = line_;
            t.begin = i_;
            if (i_ >= s_.size()) {
                t.kind = Token::END;
                t.end = i_;
                out->push_back(t);
                return true;
            }
            char c = s_[i_];
            if (c == '"') {
                size_t j = s_.find('"', i_ + 1);
                if (j == std::string::npos) {
                    *error = "line " + std::to_string(line_) + ": unterminated string";
                    return false;
                }
                t.kind = Token::STRING;
                t.text = s_.substr(i_ + 1, j - i_ - 1);
                i_ = j + 1;
            } else if (std::isdigit((unsigned char)c)) {
                size_t j = i_;
                while (j < s_.size() && (std::isalnum((unsigned char)s_[j]) || s_[j] == '.' ||
                                         ((s_[j] == '+' || s_[j] == '-') && j > i_ &&
                                          (s_[j - 1] == 'e' || s_[j - 1] == 'E') && !isHexLiteral(i_)))) {
                    j++;
                }
                t.kind = Token::NUMBER;
                t.text = s_.substr(i_, j - i_);
                i_ = j;
            } else if (wordStart(c)) {
                size_t j = i_ + 1;
                while (j < s_.size() && wordPart(s_[j])) j++;
                t.kind = Token::WORD;
                t.text = s_.substr(i_, j - i_);
                i_ = j;
            } else if (std::strchr(",;:()[]{}+-@!<>|=", c) != nullptr) {
                t.kind = Token::PUNCT;
                t.text = std::string(1, c);
                i_++;
            } else {
                *error = "line " + std::to_string(line_) + ": unexpected character '" + std::string(1, c) + "'";
                return false;
            }
            t.end = i_;
            out->push_back(t);
        }
    }

private:
    bool isHexLiteral(size_t start) const {
        return start + 1 < s_.size() && s_[start] == '0' &&
               (s_[start + 1] == 'x' || s_[start + 1] == 'X' || s_[start + 1] == 'f' || s_[start + 1] == 'F' ||
                s_[start + 1] == 'd' || s_[start + 1] == 'D');
    }

    void skipSpace() {
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c == '\n') {
                line_++;
                i_++;
            } else if (std::isspace((unsigned char)c) || c == '\0') {
                i_++;
            } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
                while (i_ < s_.size() && s_[i_] != '\n') i_++;
            } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
                size_t j = s_.find("*/", i_ + 2);
                if (j == std::string::npos) {
                    error_ = "line " + std::to_string(line_) + ": unterminated comment";
                    return;
                }
                for (size_t k = i_; k < j; k++) {
                    if (s_[k] == '\n') line_++;
                }
                i_ = j + 2;
            } else {
                return;
            }
        }
    }

    const std::string& s_;
    size_t i_ = 0;
    int line_ = 1;
    std::string error_;
};

// Integer literal (decimal, 0x hex, 0b binary, 0 octal, optional U suffix) to its 64-bit pattern.
bool parseInteger(const std::string& text, uint64_t* out) {
    std::string t = text;
    if (!t.empty() && (t.back() == 'U' || t.back() == 'u')) t.pop_back();
    if (t.empty()) return false;
    int base = 10;
    size_t start = 0;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
        base = 16;
        start = 2;
    } else if (t.size() > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) {
        base = 2;
        start = 2;
    } else if (t.size() > 1 && t[0] == '0') {
        base = 8;
        start = 1;
    }
    errno = 0;
    char* end = nullptr;
    unsigned long long v = std::strtoull(t.c_str() + start, &end, base);
    if (errno != 0 || *end != '\0' || end == t.c_str() + start) return false;
    *out = v;
    return true;
}

bool parseHex(const std::string& digits, size_t count, uint64_t* out) {
    if (digits.size() != count) return false;
    uint64_t v = 0;
    for (char c : digits) {
        if (!std::isxdigit((unsigned char)c)) return false;
        v = v * 16 + (std::isdigit((unsigned char)c) ? c - '0' : (std::tolower(c) - 'a' + 10));
    }
    *out = v;
    return true;
}

// A number token as an operand: integer, hex float or decimal float.
bool numberOperand(const std::string& text, bool negative, Operand* o) {
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'f' || text[1] == 'F')) {
        o->kind = Operand::FLOAT;
        o->floatHexBits = 32;
        if (!parseHex(text.substr(2), 8, &o->floatBits)) return false;
        if (negative) o->floatBits ^= 0x80000000u;
        return true;
    }
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'd' || text[1] == 'D')) {
        o->kind = Operand::FLOAT;
        o->floatHexBits = 64;
        if (!parseHex(text.substr(2), 16, &o->floatBits)) return false;
        if (negative) o->floatBits ^= 0x8000000000000000ull;
        return true;
    }
    bool hexOrBinary = text.size() > 1 && text[0] == '0' && std::strchr("xXbB", text[1]) != nullptr;
    if (!hexOrBinary && text.find_first_of(".eE") != std::string::npos) {
        errno = 0;
        char* end = nullptr;
        double v = std::strtod(text.c_str(), &end);
        if (errno != 0 || *end != '\0') return false;
        o->kind = Operand::FLOAT;
        o->real = negative ? -v : v;
        return true;
    }
    uint64_t v = 0;
    if (!parseInteger(text, &v)) return false;
    o->kind = Operand::INTEGER;
    o->integer = negative ? (uint64_t)0 - v : v;
    return true;
}

const char* const SPECIAL_REGISTERS[] = {
    "%tid.x", "%tid.y", "%tid.z", "%ntid.x", "%ntid.y", "%ntid.z", "%ctaid.x", "%ctaid.y", "%ctaid.z",
    "%nctaid.x", "%nctaid.y", "%nctaid.z", "%laneid", "%warpid", "%nwarpid",
};

bool isSpecial(const std::string& name) {
    for (const char* s : SPECIAL_REGISTERS) {
        if (name == s) return true;
    }
    return false;
}

class Parser {
public:
    Parser(const std::string& source, std::vector<Token> tokens) : src_(source), t_(std::move(tokens)) {}

    bool module(ModuleSyntax* m, std::string* error) {
        while (peek().kind != Token::END) {
            if (!topLevel(m)) break;
        }
        if (!error_.empty()) {
            *error = error_;
            return false;
        }
        return true;
    }

private:
    const Token& peek(size_t ahead = 0) const {
        size_t k = std::min(p_ + ahead, t_.size() - 1);
        return t_[k];
    }
    const Token& next() {
        const Token& t = t_[p_];
        if (p_ + 1 < t_.size()) p_++;
        return t;
    }
    bool is(const char* text, size_t ahead = 0) const {
        const Token& t = peek(ahead);
        return t.kind != Token::END && t.text == text && t.kind != Token::STRING;
    }
    bool fail(const std::string& why, int line = -1) {
        if (error_.empty()) {
            int l = line >= 0 ? line : peek().line;
            error_ = (kernel_ != nullptr ? "kernel " + kernel_->name + ", " : std::string()) + "line " +
                     std::to_string(l) + ": " + why;
        }
        return false;
    }
    bool expect(const char* text) {
        if (!is(text)) {
            return fail(std::string("expected '") + text + "' but found '" + peek().text + "'");
        }
        next();
        return true;
    }
    bool number(uint64_t* v) {
        if (peek().kind != Token::NUMBER || !parseInteger(peek().text, v)) {
            return fail("expected an integer but found '" + peek().text + "'");
        }
        next();
        return true;
    }

    // Skips the rest of a debug directive that has no ';' (.file, .loc): it ends with its line.
    void skipLine() {
        int line = peek().line;
        next();
        while (peek().kind != Token::END && peek().line == line) next();
    }

    bool topLevel(ModuleSyntax* m) {
        const Token& t = peek();
        if (t.kind != Token::WORD) return fail("unexpected '" + t.text + "' at module scope");
        if (t.text == ".version") {
            next();
            const Token& v = next();
            size_t dot = v.text.find('.');
            if (v.kind != Token::NUMBER || dot == std::string::npos) return fail(".version needs MAJOR.MINOR");
            m->versionMajor = std::atoi(v.text.substr(0, dot).c_str());
            m->versionMinor = std::atoi(v.text.substr(dot + 1).c_str());
            return true;
        }
        if (t.text == ".target") {
            next();
            m->target = next().text;
            while (is(",")) {
                next();
                next();
            }
            return true;
        }
        if (t.text == ".address_size") {
            next();
            uint64_t v = 0;
            if (!number(&v)) return false;
            if (v != 64) return fail(".address_size " + std::to_string(v) + ": only 64-bit addressing is supported");
            m->addressSize = 64;
            return true;
        }
        if (t.text == ".file") {
            skipLine();
            return true;
        }
        if (t.text == ".pragma") {
            next();
            next();
            return expect(";");
        }
        bool external = false;
        while (is(".visible") || is(".weak") || is(".extern") || is(".common")) {
            external = external || is(".extern");
            next();
        }
        if (is(".entry")) return entry(m);
        if (is(".func")) return fail("device functions (.func) are not supported by the interpreter");
        if (is(".shared")) {
            VariableDecl v;
            if (!variable(&v, external)) return false;
            m->variables.push_back(v);
            return true;
        }
        if (is(".global") || is(".const") || is(".local")) {
            return fail("module-scope " + peek().text + " variables are not supported by the interpreter");
        }
        return fail("unsupported directive '" + peek().text + "' at module scope");
    }

    // .shared/.local [.align N] .type name[N][M]... ;
    bool variable(VariableDecl* v, bool external) {
        v->line = peek().line;
        v->space = next().text.substr(1);
        while (peek().kind == Token::WORD && peek().text[0] == '.') {
            std::string d = next().text;
            if (d == ".align") {
                uint64_t a = 0;
                if (!number(&a)) return false;
                v->align = a;
            } else if (Type::parse(d.substr(1)).valid()) {
                v->type = Type::parse(d.substr(1));
            } else if (d == ".v2" || d == ".v4") {
                return fail("vector variables are not supported");
            } else {
                return fail("unsupported variable attribute " + d);
            }
        }
        if (!v->type.valid() || v->type.kind == 'p') return fail("a variable needs a type such as .b8 or .f32");
        if (peek().kind != Token::WORD) return fail("expected a variable name");
        v->name = next().text;
        while (is("[")) {
            next();
            if (is("]")) {
                if (!external) return fail("an unsized array must be .extern");
                v->unsized = true;
                next();
                continue;
            }
            uint64_t n = 0;
            if (!number(&n)) return false;
            v->elements *= n;
            if (!expect("]")) return false;
        }
        if (is("=")) return fail("initialised variables are not supported");
        if (v->align == 0) v->align = v->type.bytes();
        return expect(";");
    }

    bool entry(ModuleSyntax* m) {
        next();  // .entry
        if (peek().kind != Token::WORD) return fail("expected the entry's name");
        m->kernels.emplace_back();
        KernelSyntax& k = m->kernels.back();
        k.line = peek().line;
        k.name = next().text;
        kernel_ = &k;
        if (is("(")) {
            next();
            while (!is(")")) {
                if (!is(".param")) return fail("expected .param in the parameter list of " + k.name);
                if (!param(&k)) return false;
                if (is(",")) next();
            }
            next();
        }
        // Performance-tuning directives: no effect on what a thread computes.
        while (is(".maxntid") || is(".reqntid") || is(".minnctapersm") || is(".maxnreg") || is(".noreturn") ||
               is(".maxclusterrank") || is(".explicitcluster") || is(".reqnctapercluster")) {
            next();
            while (peek().kind == Token::NUMBER || is(",")) next();
        }
        if (!expect("{")) return false;
        scopes_.clear();
        scopes_.emplace_back();
        if (!body(&k)) return false;
        kernel_ = nullptr;
        return true;
    }

    bool param(KernelSyntax* k) {
        ParamDecl p;
        p.line = peek().line;
        next();  // .param
        bool pointerAttributes = false;
        while (peek().kind == Token::WORD && peek().text[0] == '.') {
            std::string d = next().text;
            if (d == ".align") {
                uint64_t a = 0;
                if (!number(&a)) return false;
                if (!pointerAttributes) p.align = a;  // after .ptr it is the pointee's alignment
            } else if (d == ".ptr") {
                pointerAttributes = true;
            } else if (pointerAttributes && (d == ".global" || d == ".shared" || d == ".const" || d == ".local")) {
                // the pointee's state space: informational
            } else if (Type::parse(d.substr(1)).valid() && Type::parse(d.substr(1)).kind != 'p') {
                p.type = Type::parse(d.substr(1));
            } else {
                return fail("unsupported parameter attribute " + d);
            }
        }
        if (!p.type.valid()) return fail("a parameter needs a type");
        if (peek().kind != Token::WORD) return fail("expected a parameter name");
        p.name = next().text;
        if (is("[")) {
            next();
            uint64_t n = 0;
            if (!number(&n)) return false;
            p.elements = n;
            if (!expect("]")) return false;
        }
        if (p.align == 0) p.align = p.type.bytes();
        k->params.push_back(p);
        return true;
    }

    bool registers(KernelSyntax* k) {
        next();  // .reg
        Type type;
        while (peek().kind == Token::WORD && peek().text[0] == '.') {
            std::string d = next().text;
            if (d == ".v2" || d == ".v4") return fail("vector registers are not supported");
            type = Type::parse(d.substr(1));
            if (!type.valid()) return fail("unsupported register type " + d);
        }
        if (!type.valid()) return fail(".reg needs a type");
        while (true) {
            if (peek().kind != Token::WORD || peek().text[0] != '%') return fail("expected a register name");
            RegisterDecl r;
            r.type = type;
            r.name = next().text;
            if (is("<")) {
                next();
                uint64_t n = 0;
                if (!number(&n)) return false;
                if (n == 0 || n > (1u << 20)) return fail("register count " + std::to_string(n) + " out of range");
                r.count = int(n);
                if (!expect(">")) return false;
            }
            if (isSpecial(r.name)) return fail(r.name + " is a special register");
            int index = int(k->registers.size());
            k->registers.push_back(r);
            if (r.count > 0) {
                scopes_.back().ranges[r.name] = index;
            } else {
                scopes_.back().singles[r.name] = index;
            }
            if (is(",")) {
                next();
                continue;
            }
            return expect(";");
        }
    }

    // Resolves a register name in the open scopes (innermost first).
    bool lookup(const KernelSyntax& k, const std::string& name, RegisterRef* out) const {
        for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s) {
            auto single = s->singles.find(name);
            if (single != s->singles.end()) {
                *out = RegisterRef{single->second, 0};
                return true;
            }
            size_t d = name.size();
            while (d > 0 && std::isdigit((unsigned char)name[d - 1])) d--;
            if (d < name.size() && d > 0) {
                auto range = s->ranges.find(name.substr(0, d));
                if (range != s->ranges.end()) {
                    std::string digits = name.substr(d);
                    if (digits.size() > 1 && digits[0] == '0') continue;  // %r01 is not %r1
                    long n = std::atol(digits.c_str());
                    if (n < k.registers[range->second].count) {
                        *out = RegisterRef{range->second, int(n)};
                        return true;
                    }
                }
            }
        }
        return false;
    }

    bool registerOperand(const KernelSyntax& k, const std::string& name, RegisterRef* out) {
        if (!lookup(k, name, out)) return fail("register " + name + " is not declared");
        return true;
    }

    bool body(KernelSyntax* k) {
        while (true) {
            const Token& t = peek();
            if (t.kind == Token::END) return fail("the body of " + k->name + " is not closed");
            if (is("}")) {
                next();
                scopes_.pop_back();
                if (scopes_.empty()) return true;
                continue;
            }
            if (is("{")) {
                next();
                scopes_.emplace_back();
                continue;
            }
            if (t.kind == Token::WORD && t.text == ".reg") {
                if (!registers(k)) return false;
                continue;
            }
            if (t.kind == Token::WORD && (t.text == ".shared" || t.text == ".local" || t.text == ".extern")) {
                bool external = false;
                if (is(".extern")) {
                    external = true;
                    next();
                }
                if (!is(".shared") && !is(".local")) return fail("unsupported declaration " + peek().text);
                VariableDecl v;
                if (!variable(&v, external)) return false;
                k->variables.push_back(v);
                continue;
            }
            if (t.kind == Token::WORD && t.text == ".pragma") {
                next();
                if (peek().kind != Token::STRING) return fail(".pragma needs a string");
                next();
                if (!expect(";")) return false;
                continue;
            }
            if (t.kind == Token::WORD && (t.text == ".loc" || t.text == ".file")) {
                skipLine();
                continue;
            }
            if (t.kind == Token::WORD && t.text[0] == '.') {
                return fail("unsupported directive '" + t.text + "' in a kernel body");
            }
            if (t.kind == Token::WORD && is(":", 1)) {
                k->labels.emplace_back(t.text, k->statements.size());
                next();
                next();
                continue;
            }
            if (!statement(k)) return false;
        }
    }

    std::string collapse(size_t begin, size_t end) const {
        std::string out;
        bool space = false;
        for (size_t i = begin; i < end && i < src_.size(); i++) {
            char c = src_[i];
            if (std::isspace((unsigned char)c)) {
                space = !out.empty();
            } else {
                if (space) out += ' ';
                space = false;
                out += c;
            }
        }
        return out;
    }

    bool statement(KernelSyntax* k) {
        Statement s;
        size_t begin = peek().begin;
        s.line = peek().line;
        if (is("@")) {
            next();
            if (is("!")) {
                s.guardNegated = true;
                next();
            }
            if (peek().kind != Token::WORD) return fail("expected a predicate after @");
            if (!registerOperand(*k, next().text, &s.guard)) return false;
        }
        if (peek().kind != Token::WORD || peek().text[0] == '%' || peek().text[0] == '.') {
            return fail("expected an instruction but found '" + peek().text + "'");
        }
        s.opcode = next().text;
        while (!is(";")) {
            if (peek().kind == Token::END) return fail("missing ';' after " + s.opcode);
            Operand o;
            if (!operand(*k, &o)) return false;
            s.operands.push_back(std::move(o));
            if (is(",")) {
                next();
            } else if (!is(";")) {
                return fail("expected ',' or ';' but found '" + peek().text + "'");
            }
        }
        s.text = collapse(begin, peek().end);
        next();
        k->statements.push_back(std::move(s));
        return true;
    }

    bool operand(const KernelSyntax& k, Operand* o) {
        size_t begin = peek().begin;
        bool ok = operandBody(k, o);
        o->text = collapse(begin, t_[p_ > 0 ? p_ - 1 : 0].end);
        return ok;
    }

    bool operandBody(const KernelSyntax& k, Operand* o) {
        const Token& t = peek();
        if (is("{")) {
            next();
            o->kind = Operand::VECTOR;
            while (!is("}")) {
                Operand e;
                if (!operand(k, &e)) return false;
                o->elements.push_back(std::move(e));
                if (is(",")) next();
                else if (!is("}")) return fail("expected ',' or '}' in a vector operand");
            }
            next();
            return true;
        }
        if (is("[")) {
            next();
            o->kind = Operand::ADDRESS;
            if (peek().kind == Token::WORD) {
                std::string base = next().text;
                if (base[0] == '%') {
                    if (!registerOperand(k, base, &o->reg)) return false;
                    o->addressHasRegister = true;
                } else {
                    o->name = base;
                }
                if (is("+") || is("-")) {
                    bool minus = next().text == "-";
                    if (is("-")) {
                        minus = !minus;
                        next();
                    }
                    uint64_t v = 0;
                    if (!number(&v)) return false;
                    o->integer = minus ? (uint64_t)0 - v : v;
                }
            } else if (peek().kind == Token::NUMBER) {
                uint64_t v = 0;
                if (!number(&v)) return false;
                o->integer = v;
            } else {
                return fail("unsupported address operand");
            }
            return expect("]");
        }
        if (is("!")) {
            next();
            if (peek().kind != Token::WORD || peek().text[0] != '%') return fail("expected a predicate after !");
            o->kind = Operand::REGISTER;
            o->negated = true;
            return registerOperand(k, next().text, &o->reg);
        }
        if (is("-") || t.kind == Token::NUMBER) {
            bool negative = false;
            if (is("-")) {
                negative = true;
                next();
            }
            if (peek().kind != Token::NUMBER) return fail("expected a number after '-'");
            std::string text = next().text;
            if (!numberOperand(text, negative, o)) return fail("malformed number " + text);
            return true;
        }
        if (t.kind == Token::WORD) {
            std::string name = next().text;
            if (name == "_") {
                o->kind = Operand::SINK;
                return true;
            }
            if (name[0] == '%') {
                if (isSpecial(name)) {
                    o->kind = Operand::SPECIAL;
                    o->name = name;
                    return true;
                }
                RegisterRef r;
                if (!lookup(k, name, &r)) {
                    if (name.rfind("%tid", 0) == 0 || name.rfind("%ntid", 0) == 0 || name.rfind("%ctaid", 0) == 0 ||
                        name.rfind("%nctaid", 0) == 0 || name.rfind("%clock", 0) == 0 || name.rfind("%sm", 0) == 0 ||
                        name.rfind("%lanemask", 0) == 0 || name.rfind("%grid", 0) == 0 ||
                        name.rfind("%envreg", 0) == 0 || name.rfind("%pm", 0) == 0 || name.rfind("%globaltimer", 0) == 0) {
                        return fail("special register " + name + " is not supported by the interpreter");
                    }
                    return fail("register " + name + " is not declared");
                }
                o->kind = Operand::REGISTER;
                o->reg = r;
                if (is("|")) {
                    next();
                    if (peek().kind != Token::WORD) return fail("expected a predicate after '|'");
                    if (!registerOperand(k, next().text, &o->pair)) return false;
                }
                return true;
            }
            o->kind = Operand::SYMBOL;
            o->name = name;
            return true;
        }
        return fail("unexpected '" + t.text + "' in an operand");
    }

    struct Scope {
        std::map<std::string, int> singles;  // full name -> declaration
        std::map<std::string, int> ranges;   // prefix of %r<N> -> declaration
    };

    const std::string& src_;
    std::vector<Token> t_;
    size_t p_ = 0;
    std::string error_;
    KernelSyntax* kernel_ = nullptr;
    std::vector<Scope> scopes_;
};

}  // namespace

bool parseModule(const std::string& text, ModuleSyntax* out, std::string* error) {
    std::vector<Token> tokens;
    Lexer lexer(text);
    if (!lexer.run(&tokens, error)) return false;
    Parser parser(text, std::move(tokens));
    return parser.module(out, error);
}

}  // namespace softgpu::ptx
