// PTX text to a syntax tree: the module's directives, each entry point's parameters, register and
// variable declarations, labels and instruction statements with their operands. Register names are
// resolved here, against the scopes ({ ... } blocks) they are declared in; what each instruction
// means is ptx_decode.cpp's business.
#ifndef FOVEA_SOFTGPU_PTX_PARSER_H
#define FOVEA_SOFTGPU_PTX_PARSER_H

#include <cstdint>
#include <string>
#include <vector>

namespace softgpu::ptx {

// A PTX scalar type as written: .u32 is {'u', 32}, .pred is {'p', 1}.
struct Type {
    char kind = 0;  // b, u, s, f, p
    int bits = 0;
    bool valid() const { return kind != 0; }
    int bytes() const { return kind == 'p' ? 1 : bits / 8; }
    std::string name() const;
    static Type parse(const std::string& modifier);  // "u32" -> {'u', 32}; invalid when not a type
};

struct RegisterDecl {
    Type type;
    std::string name;   // "%r" for %r<8>, "%temp" for a single register
    int count = 0;      // elements of %r<count>; 0 for a single register
    uint32_t firstSlot = 0;  // assigned by the decoder
};

// A register as an operand: declaration and element.
struct RegisterRef {
    int decl = -1;
    int element = 0;
};

struct Operand {
    enum Kind { REGISTER, SPECIAL, INTEGER, FLOAT, SYMBOL, ADDRESS, VECTOR, SINK } kind = SINK;
    RegisterRef reg;          // REGISTER, and ADDRESS with a register base
    std::string name;         // SPECIAL (%tid.x), SYMBOL (label, variable, parameter), ADDRESS symbol base
    bool negated = false;     // !%p
    RegisterRef pair;         // setp's second destination p|q (decl -1 when absent)
    uint64_t integer = 0;     // INTEGER (two's complement), ADDRESS offset
    double real = 0;          // FLOAT written in decimal
    uint64_t floatBits = 0;   // FLOAT written as 0fXXXXXXXX / 0dXXXXXXXXXXXXXXXX
    int floatHexBits = 0;     // 32, 64, or 0 for a decimal float
    bool addressHasRegister = false;
    std::vector<Operand> elements;  // VECTOR
    std::string text;         // as written, for messages
};

struct Statement {
    int line = 0;
    std::string text;        // whitespace collapsed, for messages
    RegisterRef guard;       // @%p (decl -1 when unguarded)
    bool guardNegated = false;
    std::string opcode;      // "ld.param.u64"
    std::vector<Operand> operands;
};

// A .shared or .local variable (module or kernel scope).
struct VariableDecl {
    std::string space;  // "shared", "local"
    std::string name;
    Type type;
    size_t align = 0;
    size_t elements = 1;
    bool unsized = false;  // extern .shared name[] (dynamic shared memory)
    int line = 0;
};

struct ParamDecl {
    std::string name;
    Type type;
    size_t align = 0;
    size_t elements = 1;
    int line = 0;
};

struct KernelSyntax {
    std::string name;
    int line = 0;
    std::vector<ParamDecl> params;
    std::vector<RegisterDecl> registers;
    std::vector<VariableDecl> variables;
    std::vector<Statement> statements;
    std::vector<std::pair<std::string, size_t>> labels;  // label -> index of the next statement
};

struct ModuleSyntax {
    int versionMajor = 0;
    int versionMinor = 0;
    std::string target;
    int addressSize = 64;
    std::vector<VariableDecl> variables;  // module-scope .shared
    std::vector<KernelSyntax> kernels;
};

// Parses the module; false with "line N: why" (and the kernel, when inside one) in *error.
bool parseModule(const std::string& text, ModuleSyntax* out, std::string* error);

}  // namespace softgpu::ptx

#endif
