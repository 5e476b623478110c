//
// lib/context.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Context variables (context.hpp): the variable vectors, the thread's own
// context, set/reset with their tokens, context::run.

#include <taskio/context.hpp>

#include <algorithm>
#include <atomic>

namespace taskio::detail {

namespace {
std::atomic<std::uint64_t> var_counter{0};
std::atomic<std::uint64_t> context_counter{0};

template <class Vector>
auto position(Vector& v, std::uint64_t var) {
  return std::lower_bound(v.begin(), v.end(), var, [](const context_entry& e, std::uint64_t k) { return e.var < k; });
}

std::string describe(const context_token& t) { return "<Token var='" + t.var_name() + "'>"; }
}  // namespace

const void* find_var(const context_vars& vars, std::uint64_t var) noexcept {
  if (!vars) return nullptr;
  auto it = position(*vars, var);
  return it != vars->end() && it->var == var ? it->value.get() : nullptr;
}

context_vars with_var(const context_vars& vars, std::uint64_t var, std::shared_ptr<const void> value) {
  auto next = vars ? std::make_shared<std::vector<context_entry>>(*vars) : std::make_shared<std::vector<context_entry>>();
  auto it = position(*next, var);
  const bool found = it != next->end() && it->var == var;
  if (!value) {
    if (found) next->erase(it);
  } else if (found) {
    it->value = std::move(value);
  } else {
    next->insert(it, context_entry{var, std::move(value)});
  }
  if (next->empty()) return nullptr;
  return next;
}

std::uint64_t context_impl::id() const noexcept {
  if (id_ == 0) id_ = ++context_counter;
  return id_;
}

context_impl& thread_context() {
  static thread_local ref_ptr<context_impl> own(new context_impl());
  return *own;
}

context_var_base::context_var_base(std::string name) : id_(++var_counter), name_(std::move(name)) {}

context_token context_var_base::set_value(std::shared_ptr<const void> value) {
  context_impl& c = current_context();
  auto old = c.vars;
  std::shared_ptr<const void> old_value;
  if (old) {
    auto it = position(*old, id_);
    if (it != old->end() && it->var == id_) old_value = it->value;
  }
  c.vars = with_var(old, id_, std::move(value));
  return context_token(std::make_shared<context_token::state>(
      context_token::state{id_, name_, c.id(), std::move(old_value), false}));
}

void context_var_base::reset_value(const context_token& token) {
  context_token::state& s = *token.s_;
  if (s.used) throw std::runtime_error("taskio::context_var::reset: " + describe(token) + " has already been used once");
  if (s.var != id_)
    throw std::invalid_argument("taskio::context_var::reset: " + describe(token) +
                                " was created by a different context_var ('" + name_ + "' here)");
  context_impl& c = current_context();
  if (s.context != c.id())
    throw std::invalid_argument("taskio::context_var::reset: " + describe(token) + " was created in a different context");
  c.vars = with_var(c.vars, id_, s.old_value);
  s.used = true;
}

void context_var_base::throw_lookup_error() const {
  throw lookup_error("taskio::context_var '" + name_ + "' has no value in the current context and no default");
}

}  // namespace taskio::detail

namespace taskio {

context::context() : impl_(new detail::context_impl()) {}

context context::copy() const { return context(detail::ref_ptr<detail::context_impl>(new detail::context_impl(impl_->vars))); }

context copy_context() {
  return detail::access::make<context>(new detail::context_impl(detail::current_context().vars));
}

context::enter_guard::enter_guard(detail::context_impl& c) : c_(c) {
  if (c.entered || detail::context_tls::current() == &c)
    throw std::runtime_error("taskio::context::run: cannot enter context: the context is already entered");
  c.entered = true;
  prev_ = std::exchange(detail::context_tls::current(), &c);
}

context::enter_guard::~enter_guard() {
  detail::context_tls::current() = prev_;
  c_.entered = false;
}

}  // namespace taskio
