// Sweep filters: small boolean expressions over the swept keys that decide whether a point of the cartesian
// product is kept, e.g. `modules.pe.count * 2 <= 64 and workload.decode_steps != 3`.
//
// Grammar (keywords and operators as in the lines below; whitespace is free):
//   expr    := and_expr ('or' and_expr)*
//   and_expr:= not_expr ('and' not_expr)*
//   not_expr:= 'not' not_expr | compare
//   compare := sum (('==' | '!=' | '<' | '<=' | '>' | '>=') sum)?
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/' | '%') unary)*
//   unary   := '-' unary | primary
//   primary := number | 'text' | "text" | true | false | key.path | '(' expr ')'
// A key.path names a swept key; its value is a number when the YAML value was an unquoted number, a boolean
// for unquoted true/false, text otherwise. Text compares only with == and !=; arithmetic is on numbers only;
// and/or/not take booleans; the whole filter must give a boolean. Leaves out: functions, variables that are
// not swept keys (a filter cannot see the base config), short-circuit type checks (both sides are checked).
// An expression nested deeper than Filter::max_depth levels (parentheses, not, minus or a chain of operators)
// is refused as an error rather than parsed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/core/config_tree.h"

namespace llmx {

// One value a swept key takes, as the filter sees it.
struct FilterValue {
  enum class Kind { number, text, boolean };
  Kind kind = Kind::text;
  double number = 0;
  std::string text;
  bool boolean = false;

  // Classifies a YAML scalar: unquoted numbers are numbers, unquoted true/false booleans, the rest text.
  static FilterValue from_scalar(const std::string& scalar, bool quoted);
};

class Filter {
 public:
  static constexpr size_t max_depth = 100;

  // Parses `expression`; `keys` are the swept keys a filter may name (their index is the variable number).
  // `where` and `label` (e.g. "filters[0]") locate errors: "file:line:col: label: message".
  Filter(const std::string& expression, const std::vector<std::string>& keys, SourceLocation where,
         std::string label);
  ~Filter();
  Filter(Filter&&) noexcept;
  Filter& operator=(Filter&&) noexcept;

  // True when the point whose key values are `values` (indexed like `keys`) is kept. Type errors throw
  // llmx::Error located at the filter.
  bool keeps(const std::vector<FilterValue>& values) const;
  const std::string& expression() const { return expression_; }
  const SourceLocation& where() const { return where_; }

  struct Node;

 private:
  std::string expression_;
  SourceLocation where_;
  std::string label_;
  std::unique_ptr<Node> root_;
};

}  // namespace llmx
