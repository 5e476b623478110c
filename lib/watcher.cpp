//
// lib/watcher.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// detail::watcher, the child-watching core of gather, wait and
// as_completed.

#include <taskio/detail/watcher.hpp>

#include <taskio/detail/task_state.hpp>

#include <boost/asio/post.hpp>

#include <bit>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace taskio::detail {

namespace {

/// The distinct pointers of `items` in first-occurrence order: one pass
/// through an open-addressing table (no allocation per element).
std::vector<future_state_base*> distinct(std::span<future_state_base* const> items) {
  std::vector<future_state_base*> out;
  out.reserve(items.size());
  if (items.size() < 2) {
    out.assign(items.begin(), items.end());
    return out;
  }
  const std::size_t capacity = std::bit_ceil(items.size() * 2);
  std::vector<future_state_base*> table(capacity, nullptr);
  for (future_state_base* p : items) {
    std::size_t i = (reinterpret_cast<std::uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull & (capacity - 1);
    while (table[i] && table[i] != p) i = (i + 1) & (capacity - 1);
    if (table[i]) continue;  // a duplicate
    table[i] = p;
    out.push_back(p);
  }
  return out;
}

}  // namespace

watcher::watcher(const char* who)
    : future_state_base(running_loop(who), default_task_executor(who)), who_(who) {}

watcher::~watcher() = default;

void watcher::watch(std::span<future_state_base* const> by_position) {
  std::vector<future_state_base*> children = distinct(by_position);
  for (future_state_base* c : children)
    if (&c->get_loop() != loop_)
      throw std::invalid_argument(std::string(who_) + ": every task and future must belong to the running loop");
  entries_.reserve(children.size());  // the nodes must never move once registered
  for (future_state_base* c : children) {
    entry& e = entries_.emplace_back();
    e.owner = this;
    e.child = ref_ptr<future_state_base>(c);
    e.fire = &watcher::fire_entry;
    e.linked = true;
    add_ref();  // the registration's reference
    c->add_node(&e);  // fires (posts) at once if the child is done
  }
}

void watcher::fire_entry(completion_node* n, future_state_base&) {
  auto* e = static_cast<entry*>(n);
  e->linked = false;
  watcher* w = e->owner;
  const auto i = static_cast<std::size_t>(e - w->entries_.data());
  ref_ptr<watcher> keep(w);
  w->ref_counted::release();  // the registration's reference passes to `keep`
  // inner_executor: straight to the io_context when that is the executor
  // (a post through the type-erased executor costs several times more)
  inner_executor(w->executor()).post([w = std::move(keep), i] {
    loop_scope scope(w->loop_);
    w->on_child_done(i);
  });
}

void watcher::list_pending(const void* self, std::vector<ref_ptr<future_state_base>>& out) {
  const auto& w = *static_cast<const watcher*>(self);
  for (std::size_t i = 0; i < w.size(); ++i)
    if (!w.child(i).done()) out.emplace_back(&w.child(i));
}

void watcher::unwatch() noexcept {
  ref_ptr<watcher> keep(this);
  for (entry& e : entries_) {
    if (!e.linked) continue;
    e.linked = false;
    e.child->remove_node(&e);
    ref_counted::release();
  }
}

void watcher::arm_timeout(clock::duration delay) {
  timer_.owner = this;
  timer_.when = loop_->now() + delay;
  timer_.fire = &watcher::fire_timeout;
  timer_.destroy = &watcher::destroy_timeout;
  add_ref();  // the queue's reference
  timer_armed_ = true;
  loop_->add_timer(timer_);
}

void watcher::disarm_timeout() noexcept {
  if (!timer_armed_ || !loop_->remove_timer(timer_)) return;  // fired: its handler is posted
  timer_armed_ = false;
  ref_counted::release();
}

void watcher::fire_timeout(timer_node* n) {
  watcher* w = static_cast<timeout_node*>(n)->owner;
  ref_ptr<watcher> keep(w);
  w->ref_counted::release();  // the queue's reference passes to `keep`
  inner_executor(w->executor()).post([w = std::move(keep)] {
    loop_scope scope(w->loop_);
    w->timer_armed_ = false;
    w->on_timeout();
  });
}

void watcher::destroy_timeout(timer_node* n) { static_cast<timeout_node*>(n)->owner->ref_counted::release(); }

}  // namespace taskio::detail
