// Sweep filter expressions: a recursive-descent parser into a small tree, evaluated once per candidate point.
// See filter.h for the grammar and typing rules.
#include "explorer/sweep/filter.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "models/core/error.h"

namespace llmx {

FilterValue FilterValue::from_scalar(const std::string& scalar, bool quoted) {
  FilterValue v;
  v.text = scalar;
  if (quoted) return v;
  if (scalar == "true" || scalar == "false") {
    v.kind = Kind::boolean;
    v.boolean = scalar == "true";
    return v;
  }
  if (!scalar.empty()) {
    char* end = nullptr;
    const double d = std::strtod(scalar.c_str(), &end);
    if (end && *end == '\0' && !std::isspace(static_cast<unsigned char>(scalar[0]))) {
      v.kind = Kind::number;
      v.number = d;
    }
  }
  return v;
}

struct Filter::Node {
  enum class Op { constant, key, neg, not_, and_, or_, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge };
  Op op = Op::constant;
  FilterValue value;  // constant
  size_t key = 0;     // key
  size_t column = 0;  // 1-based offset in the expression, for errors
  size_t depth = 1;   // levels of this node's subtree
  std::unique_ptr<Node> a, b;
};

namespace {

using Node = Filter::Node;
using Op = Node::Op;
using Kind = FilterValue::Kind;

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::number:
      return "a number";
    case Kind::text:
      return "text";
    case Kind::boolean:
      return "a boolean";
  }
  return "?";
}

class Parser {
 public:
  Parser(const std::string& text, const std::vector<std::string>& keys, const std::string& prefix)
      : s_(text), keys_(keys), prefix_(prefix) {}

  std::unique_ptr<Node> parse() {
    auto n = parse_or();
    skip();
    if (pos_ < s_.size()) fail(cat("unexpected '", s_.substr(pos_, 12), "'"));
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw Error(cat(prefix_, message, " (at character ", pos_ + 1, " of '", s_, "')"));
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  static bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  }
  // Consumes `word` when it stands alone (not a prefix of a longer name).
  bool keyword(const char* word) {
    skip();
    const std::string w(word);
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    if (pos_ + w.size() < s_.size() && word_char(s_[pos_ + w.size()])) return false;
    pos_ += w.size();
    return true;
  }
  bool symbol(const char* sym) {
    skip();
    const std::string w(sym);
    if (s_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }
  std::unique_ptr<Node> make(Op op, size_t column, std::unique_ptr<Node> a,
                             std::unique_ptr<Node> b = nullptr) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->column = column;
    n->a = std::move(a);
    n->b = std::move(b);
    n->depth = 1 + std::max(n->a ? n->a->depth : 0, n->b ? n->b->depth : 0);
    if (n->depth > Filter::max_depth) fail(cat("nested deeper than ", Filter::max_depth, " levels"));
    return n;
  }
  // Counts the parser's recursion so that nesting fails as an error before it can exhaust the stack.
  struct Descent {
    explicit Descent(Parser& p) : parser(p) {
      if (++parser.descent_ > 4 * Filter::max_depth)
        parser.fail(cat("nested deeper than ", Filter::max_depth, " levels"));
    }
    ~Descent() { --parser.descent_; }
    Parser& parser;
  };

  std::unique_ptr<Node> parse_or() {
    const Descent guard(*this);
    auto n = parse_and();
    for (size_t at; skip(), at = pos_ + 1, keyword("or");) n = make(Op::or_, at, std::move(n), parse_and());
    return n;
  }
  std::unique_ptr<Node> parse_and() {
    auto n = parse_not();
    for (size_t at; skip(), at = pos_ + 1, keyword("and");) n = make(Op::and_, at, std::move(n), parse_not());
    return n;
  }
  std::unique_ptr<Node> parse_not() {
    const Descent guard(*this);
    skip();
    const size_t at = pos_ + 1;
    if (keyword("not")) return make(Op::not_, at, parse_not());
    return parse_compare();
  }
  std::unique_ptr<Node> parse_compare() {
    auto n = parse_sum();
    skip();
    const size_t at = pos_ + 1;
    // Two-character operators first.
    static const std::pair<const char*, Op> ops[] = {{"==", Op::eq}, {"!=", Op::ne}, {"<=", Op::le},
                                                     {">=", Op::ge}, {"<", Op::lt},  {">", Op::gt}};
    for (const auto& [sym, op] : ops)
      if (symbol(sym)) return make(op, at, std::move(n), parse_sum());
    if (pos_ < s_.size() && s_[pos_] == '=') fail("'=' is not an operator (use '==')");
    return n;
  }
  std::unique_ptr<Node> parse_sum() {
    auto n = parse_product();
    while (true) {
      skip();
      const size_t at = pos_ + 1;
      if (symbol("+"))
        n = make(Op::add, at, std::move(n), parse_product());
      else if (symbol("-"))
        n = make(Op::sub, at, std::move(n), parse_product());
      else
        return n;
    }
  }
  std::unique_ptr<Node> parse_product() {
    auto n = parse_unary();
    while (true) {
      skip();
      const size_t at = pos_ + 1;
      if (symbol("*"))
        n = make(Op::mul, at, std::move(n), parse_unary());
      else if (symbol("/"))
        n = make(Op::div, at, std::move(n), parse_unary());
      else if (symbol("%"))
        n = make(Op::mod, at, std::move(n), parse_unary());
      else
        return n;
    }
  }
  std::unique_ptr<Node> parse_unary() {
    const Descent guard(*this);
    skip();
    const size_t at = pos_ + 1;
    if (symbol("-")) return make(Op::neg, at, parse_unary());
    return parse_primary();
  }
  std::unique_ptr<Node> parse_primary() {
    skip();
    if (pos_ >= s_.size()) fail("expression ends too early");
    const size_t at = pos_ + 1;
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      auto n = parse_or();
      if (!symbol(")")) fail("missing ')'");
      return n;
    }
    auto constant = make(Op::constant, at, nullptr);
    if (c == '\'' || c == '"') {
      const size_t close = s_.find(c, pos_ + 1);
      if (close == std::string::npos) fail("unterminated text");
      constant->value.text = s_.substr(pos_ + 1, close - pos_ - 1);
      pos_ = close + 1;
      return constant;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      const double d = std::strtod(begin, &end);
      if (end == begin) fail("bad number");
      pos_ += static_cast<size_t>(end - begin);
      if (pos_ < s_.size() && word_char(s_[pos_])) fail("bad number");
      constant->value.kind = Kind::number;
      constant->value.number = d;
      return constant;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = pos_;
      while (end < s_.size() && word_char(s_[end])) ++end;
      const std::string name = s_.substr(pos_, end - pos_);
      if (name == "true" || name == "false") {
        pos_ = end;
        constant->value.kind = Kind::boolean;
        constant->value.boolean = name == "true";
        return constant;
      }
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i] == name) {
          pos_ = end;
          auto n = make(Op::key, at, nullptr);
          n->key = i;
          return n;
        }
      }
      std::string known;
      for (const auto& k : keys_) known += (known.empty() ? "" : ", ") + k;
      fail(cat("'", name, "' is not a swept key (swept: ", known, ")"));
    }
    fail(cat("unexpected '", std::string(1, c), "'"));
  }

  const std::string& s_;
  const std::vector<std::string>& keys_;
  const std::string& prefix_;
  size_t pos_ = 0;
  size_t descent_ = 0;
};

FilterValue number(double d) {
  FilterValue v;
  v.kind = Kind::number;
  v.number = d;
  return v;
}

FilterValue boolean(bool b) {
  FilterValue v;
  v.kind = Kind::boolean;
  v.boolean = b;
  return v;
}

struct Evaluator {
  const std::vector<FilterValue>& values;
  const std::string& prefix;
  const std::string& expression;

  [[noreturn]] void fail(const Node& n, const std::string& message) const {
    throw Error(cat(prefix, message, " (at character ", n.column, " of '", expression, "')"));
  }
  void expect(const Node& n, const FilterValue& v, Kind k, const char* what) const {
    if (v.kind != k)
      fail(n, cat(what, " needs ", kind_name(k), ", got ", kind_name(v.kind), " '", show(v), "'"));
  }
  static std::string show(const FilterValue& v) {
    if (v.kind == Kind::boolean) return v.boolean ? "true" : "false";
    if (v.kind == Kind::number && v.text.empty()) return cat(v.number);
    return v.text;
  }

  FilterValue eval(const Node& n) const {
    switch (n.op) {
      case Op::constant:
        return n.value;
      case Op::key:
        return values.at(n.key);
      case Op::neg: {
        const FilterValue a = eval(*n.a);
        expect(n, a, Kind::number, "'-'");
        return number(-a.number);
      }
      case Op::not_: {
        const FilterValue a = eval(*n.a);
        expect(n, a, Kind::boolean, "'not'");
        return boolean(!a.boolean);
      }
      case Op::and_:
      case Op::or_: {
        const FilterValue a = eval(*n.a), b = eval(*n.b);
        const char* name = n.op == Op::and_ ? "'and'" : "'or'";
        expect(n, a, Kind::boolean, name);
        expect(n, b, Kind::boolean, name);
        return boolean(n.op == Op::and_ ? (a.boolean && b.boolean) : (a.boolean || b.boolean));
      }
      case Op::add:
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::mod: {
        const FilterValue a = eval(*n.a), b = eval(*n.b);
        expect(n, a, Kind::number, "arithmetic");
        expect(n, b, Kind::number, "arithmetic");
        if ((n.op == Op::div || n.op == Op::mod) && b.number == 0) fail(n, "division by zero");
        switch (n.op) {
          case Op::add:
            return number(a.number + b.number);
          case Op::sub:
            return number(a.number - b.number);
          case Op::mul:
            return number(a.number * b.number);
          case Op::div:
            return number(a.number / b.number);
          default:
            return number(std::fmod(a.number, b.number));
        }
      }
      case Op::eq:
      case Op::ne: {
        const FilterValue a = eval(*n.a), b = eval(*n.b);
        if (a.kind != b.kind)
          fail(n, cat("cannot compare ", kind_name(a.kind), " '", show(a), "' with ", kind_name(b.kind), " '",
                      show(b), "'"));
        bool same = false;
        if (a.kind == Kind::number)
          same = a.number == b.number;
        else if (a.kind == Kind::boolean)
          same = a.boolean == b.boolean;
        else
          same = a.text == b.text;
        return boolean(n.op == Op::eq ? same : !same);
      }
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge: {
        const FilterValue a = eval(*n.a), b = eval(*n.b);
        expect(n, a, Kind::number, "ordering");
        expect(n, b, Kind::number, "ordering");
        switch (n.op) {
          case Op::lt:
            return boolean(a.number < b.number);
          case Op::le:
            return boolean(a.number <= b.number);
          case Op::gt:
            return boolean(a.number > b.number);
          default:
            return boolean(a.number >= b.number);
        }
      }
    }
    fail(n, "internal: unknown operator");
  }
};

}  // namespace

Filter::Filter(const std::string& expression, const std::vector<std::string>& keys, SourceLocation where,
               std::string label)
    : expression_(expression), where_(std::move(where)), label_(std::move(label)) {
  const std::string prefix = cat(where_.str(), ": ", label_, ": ");
  root_ = Parser(expression_, keys, prefix).parse();
}

Filter::~Filter() = default;
Filter::Filter(Filter&&) noexcept = default;
Filter& Filter::operator=(Filter&&) noexcept = default;

bool Filter::keeps(const std::vector<FilterValue>& values) const {
  const std::string prefix = cat(where_.str(), ": ", label_, ": ");
  const FilterValue v = Evaluator{values, prefix, expression_}.eval(*root_);
  if (v.kind != Kind::boolean)
    throw Error(
        cat(prefix, "the filter gives ", kind_name(v.kind), ", not true or false ('", expression_, "')"));
  return v.boolean;
}

}  // namespace llmx
