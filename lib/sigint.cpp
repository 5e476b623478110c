//
// lib/sigint.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// SIGINT -> a byte on a self-pipe -> the watcher thread -> a handler posted
// to the loop of the runner that is running main (see detail/sigint.hpp).

#include <taskio/detail/sigint.hpp>

#include <taskio/exceptions.hpp>
#include <taskio/log.hpp>

#include <boost/asio/post.hpp>

#include <cerrno>
#include <csignal>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace taskio::detail {

struct sigint_guard::control {
  boost::asio::io_context& io;
  task_ref main;        // loop thread only; emptied when the guard ends
  int interrupts = 0;   // loop thread only
  struct sigaction previous {};

  /// On the loop thread, for each SIGINT.
  void deliver() {
    if (!main) return;  // the guard has ended
    if (++interrupts > 1 || main.done()) throw keyboard_interrupt();
    main.cancel();
  }
};

namespace {

int wake_pipe[2] = {-1, -1};
std::once_flag watcher_started;
std::mutex active_mutex;
std::shared_ptr<sigint_guard::control> running;  // at most one: the main thread's runner

extern "C" void on_sigint(int) {
  const int saved = errno;
  const char byte = 0;
  [[maybe_unused]] const auto written = ::write(wake_pipe[1], &byte, 1);  // non-blocking: a flood is dropped
  errno = saved;
}

/// The watcher thread: lives as long as the process, blocked in read().
void watch() {
  for (;;) {
    char bytes[64];
    const auto n = ::read(wake_pipe[0], bytes, sizeof bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    std::lock_guard lock(active_mutex);  // the loop outlives the registration
    for (auto i = 0; i < n && running; ++i) boost::asio::post(running->io, [c = running] { c->deliver(); });
  }
}

void start_watcher() {
  if (::pipe2(wake_pipe, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "taskio: pipe2");
  ::fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
  std::thread(watch).detach();
}

bool default_disposition(const struct sigaction& sa) {
  return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

}  // namespace

sigint_guard::sigint_guard(boost::asio::io_context& io, const task_ref& main) {
  if (::getpid() != ::gettid()) return;  // not the main thread
  struct sigaction previous {};
  ::sigaction(SIGINT, nullptr, &previous);
  if (!default_disposition(previous)) return;  // ignored, or someone else's
  std::call_once(watcher_started, start_watcher);

  control_ = std::make_shared<control>(control{io, main});
  control_->previous = previous;
  work_.emplace(io.get_executor());
  {
    std::lock_guard lock(active_mutex);
    running = control_;
  }
  struct sigaction sa {};
  sa.sa_handler = &on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
}

sigint_guard::~sigint_guard() {
  if (!control_) return;
  ::sigaction(SIGINT, &control_->previous, nullptr);
  {
    std::lock_guard lock(active_mutex);
    if (running == control_) running.reset();
  }
  control_->main = task_ref();  // interrupts still queued are dropped
  work_.reset();
}

int sigint_guard::interrupts() const noexcept { return control_ ? control_->interrupts : 0; }

}  // namespace taskio::detail
