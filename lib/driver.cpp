//
// lib/driver.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "driver.hpp"

#include <boost/asio/post.hpp>

#include <memory>
#include <stdexcept>
#include <utility>

namespace taskio::detail {

driver::driver(loop& l, hooks* h) noexcept
    : l_(l),
      hooks_(h),
      previous_(std::exchange(l.driver_, this)),
      previous_thread_(l.driver_thread_.exchange(std::this_thread::get_id())) {}

driver::~driver() {
  l_.driver_thread_.store(previous_thread_);
  l_.driver_ = previous_;
}

namespace {
struct stop_node : completion_node {
  bool stop = false;
  boost::asio::io_context* io = nullptr;
};
}  // namespace

void driver::run_until_done(loop& l, future_state_base& watched, hooks* h) {
  if (watched.done()) return;
  stop_node node;
  node.io = l.virtual_time() ? nullptr : &l.context();
  node.fire = [](completion_node* n, future_state_base&) {
    auto* s = static_cast<stop_node*>(n);
    s->stop = true;
    if (s->io) s->io->stop();
  };
  watched.add_node(&node);
  struct unlink {
    future_state_base& w;
    stop_node& n;
    ~unlink() {
      if (!n.stop) w.remove_node(&n);
    }
  } guard{watched, node};

  loop_scope scope(&l);
  driver d(l, h);
  if (l.virtual_time())
    d.run_virtual(node.stop);
  else
    d.run_real(watched, node.stop);
}

void driver::run_real(future_state_base& watched, const bool& stop) {
  boost::asio::io_context& io = l_.context();
  // Busy phase: rounds of io_context::poll (no blocking, so no reactor
  // needed), the hooks polled between them and at the end of any task step
  // that sees interrupt_requested; the first time nothing is ready, the
  // hooks arm themselves to wake the blocked loop.
  while (hooks_ && !hooks_->armed() && !stop) {
    hooks_->poll();
    io.restart();
    if (io.poll() == 0 && !stop) hooks_->idle();
  }
  while (!stop) {
    io.restart();
    io.run();
    if (stop) break;
    io.restart();
    if (io.poll() == 0 && !stop && io.stopped())
      throw std::runtime_error("taskio: deadlock: nothing is left to run but " + watched.repr() + " is not done");
  }
}

void driver::run_virtual(const bool& stop) {
  boost::asio::io_context& io = l_.context();
  while (!stop) {
    if (hooks_) hooks_->poll();
    l_.fire_due_timers();
    // One iteration: exactly the handlers queued before this marker. The
    // marker shares its flag: when a handler throws out of the loop (a fatal
    // exception), the marker stays queued and runs in a later drive.
    auto marker = std::make_shared<bool>(false);
    boost::asio::post(io, [marker] { *marker = true; });
    std::size_t ran = 0;
    while (!*marker) {
      if (io.stopped()) io.restart();
      ran += io.run_one();
    }
    if (stop) break;
    if (ran > 1) continue;
    // Idle: jump to the next deadline, or wait for a real event.
    if (auto next = l_.next_deadline()) {
      if (*next > l_.now()) l_.advance(*next - l_.now());
      continue;
    }
    io.restart();
    if (io.run_one() == 0)
      throw std::runtime_error("taskio: deadlock: nothing is left to run but the awaited task is not done");
  }
}

void driver::notice_interrupt(loop& l) {
  driver* d = l.driver_;
  if (!d || !d->hooks_ || d->interrupt_posted_) return;
  d->interrupt_posted_ = true;
  boost::asio::post(l.context(), [&l] {
    driver* current = l.driver_;
    if (!current) return;
    current->interrupt_posted_ = false;
    if (current->hooks_) current->hooks_->poll();
  });
}

}  // namespace taskio::detail
