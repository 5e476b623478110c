//
// lib/exception_group.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// exception_group: construction, the traceback-like what(), split and
// except_star.

#include <taskio/exception_group.hpp>

#include <taskio/exceptions.hpp>

#include <stdexcept>

namespace taskio {

namespace {

// Python's traceback limits for groups.
constexpr std::size_t max_group_width = 15;
constexpr std::size_t max_group_depth = 10;

/// Calls f(&group) if `e` holds an exception_group, else f(nullptr). The
/// group is only used inside f (rethrow_exception may copy the object).
template <class F>
decltype(auto) visit(const std::exception_ptr& e, F&& f) {
  try {
    std::rethrow_exception(e);
  } catch (const exception_group& g) {
    return f(&g);
  } catch (...) {
  }
  return f(static_cast<const exception_group*>(nullptr));
}

std::string header(const std::string& message, std::size_t n) {
  return message + " (" + std::to_string(n) + (n == 1 ? " sub-exception)" : " sub-exceptions)");
}

/// Appends `text` to `out` with its continuation lines indented by `indent`.
void append_indented(std::string& out, const std::string& text, const std::string& indent) {
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
}

/// Appends one line per member; `depth` 0 for the members of the outer group.
void format_members(std::string& out, const std::vector<std::exception_ptr>& members, std::size_t depth) {
  const std::string indent(2 + 4 * depth, ' ');
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i == max_group_width) {
      const std::size_t more = members.size() - i;
      out += '\n' + indent + "+-- ... and " + std::to_string(more) + (more == 1 ? " more exception" : " more exceptions");
      return;
    }
    out += '\n' + indent + "+-- " + std::to_string(i + 1) + ": ";
    visit(members[i], [&](const exception_group* g) {
      if (g && depth + 2 > max_group_depth) {  // the outer group is level 1
        out += "... (max_group_depth is " + std::to_string(max_group_depth) + ")";
      } else if (g) {
        out += header(g->message(), g->size());
        format_members(out, g->exceptions(), depth + 1);
      } else {
        append_indented(out, describe_exception(members[i]), indent + "    ");
      }
    });
  }
}

}  // namespace

struct exception_group::data {
  std::string message;
  std::vector<std::exception_ptr> exceptions;
  std::string what;
};

exception_group::exception_group(std::string message, std::vector<std::exception_ptr> exceptions) {
  if (exceptions.empty())
    throw std::invalid_argument("taskio::exception_group: the exceptions must be a non-empty sequence");
  for (const auto& e : exceptions)
    if (!e) throw std::invalid_argument("taskio::exception_group: a member is a null exception_ptr");
  auto d = std::make_shared<data>();
  d->what = header(message, exceptions.size());
  format_members(d->what, exceptions, 0);
  d->message = std::move(message);
  d->exceptions = std::move(exceptions);
  d_ = std::move(d);
}

const std::string& exception_group::message() const noexcept { return d_->message; }
const std::vector<std::exception_ptr>& exception_group::exceptions() const noexcept { return d_->exceptions; }
std::size_t exception_group::size() const noexcept { return d_->exceptions.size(); }
const char* exception_group::what() const noexcept { return d_->what.c_str(); }

std::vector<std::exception_ptr> exception_group::leaves() const {
  std::vector<std::exception_ptr> out;
  auto walk = [&out](const exception_group& g, auto& self) -> void {
    for (const auto& e : g.exceptions())
      visit(e, [&](const exception_group* nested) {
        if (nested)
          self(*nested, self);
        else
          out.push_back(e);
      });
  };
  walk(*this, walk);
  return out;
}

exception_group exception_group::derive(std::vector<std::exception_ptr> exceptions) const {
  return exception_group(message(), std::move(exceptions));
}

namespace {

/// split_by without the test of `g` itself.
split_result split_members(const exception_group& g, const detail::group_matcher& m, bool want_rest) {
  std::vector<std::exception_ptr> match, rest;
  for (const auto& e : g.exceptions()) {
    visit(e, [&](const exception_group* nested) {
      if (nested && !(m.test_groups && m.test(m.ctx, e))) {
        // partial match: both parts rebuilt with the nested group's message
        auto [nm, nr] = split_members(*nested, m, want_rest);
        if (nm) match.push_back(std::make_exception_ptr(*nm));
        if (nr) rest.push_back(std::make_exception_ptr(*nr));
      } else if (nested || m.test(m.ctx, e)) {
        match.push_back(e);
      } else if (want_rest) {
        rest.push_back(e);
      }
    });
  }
  split_result out;
  if (!match.empty()) out.first = g.derive(std::move(match));
  if (!rest.empty()) out.second = g.derive(std::move(rest));
  return out;
}

}  // namespace

split_result exception_group::split_by(const detail::group_matcher& m, bool want_rest) const {
  if (m.test_groups && m.test(m.ctx, std::make_exception_ptr(*this))) return {*this, std::nullopt};
  return split_members(*this, m, want_rest);
}

// ---------------------------------------------------------------------------
// except_star

namespace {

enum class leaf_state : unsigned char { unmatched, handled, reraised };

}  // namespace

void detail::except_star(const std::exception_ptr& e, const star_clause* clauses, std::size_t n) {
  if (!e) throw std::invalid_argument("taskio::except_star: null exception_ptr");
  std::optional<exception_group> group;
  visit(e, [&](const exception_group* g) {
    if (g) group = *g;
  });
  const std::vector<std::exception_ptr> leaves = group ? group->leaves() : std::vector<std::exception_ptr>{e};

  // Clause by clause, as Python runs `except*` clauses in order.
  std::vector<leaf_state> states(leaves.size(), leaf_state::unmatched);
  std::vector<std::exception_ptr> raised;
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      if (states[i] != leaf_state::unmatched) continue;
      try {
        if (clauses[c].handle(clauses[c].fn, leaves[i])) states[i] = leaf_state::handled;
      } catch (...) {
        std::exception_ptr x = std::current_exception();
        if (x == leaves[i]) {
          states[i] = leaf_state::reraised;  // `throw;`: stays in the group
        } else {
          states[i] = leaf_state::handled;
          raised.push_back(std::move(x));
        }
      }
    }
  }

  bool all_handled = true, none_handled = true;
  for (leaf_state s : states) (s == leaf_state::handled ? none_handled : all_handled) = false;
  if (raised.empty()) {
    if (none_handled) std::rethrow_exception(e);  // the original object, untouched
    if (all_handled) return;
  }
  if (!group) std::rethrow_exception(raised.front());  // a single exception is never wrapped
  std::optional<exception_group> rest;
  if (!all_handled) {
    // the leaves not handled, in the original structure (split visits the
    // leaves in the order of leaves())
    std::size_t next = 0;
    rest = group->subgroup([&](const std::exception_ptr& x) {
      return visit(x, [](const exception_group* g) { return g == nullptr; }) && states[next++] != leaf_state::handled;
    });
  }
  if (raised.empty()) throw *rest;
  if (rest) raised.push_back(std::make_exception_ptr(*rest));
  throw exception_group("", std::move(raised));
}

}  // namespace taskio
