// detail/asio_compat.hpp: the Asio internals the kernel uses, checked on
// whichever Boost.Asio this build uses (1.26 .. 1.38; .ci/asio-versions runs
// the suite against each).
#include "../test_support.hpp"

#include <taskio/detail/asio_compat.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>

#include <memory>

using namespace taskio_test;
namespace compat = taskio::detail::asio_compat;

namespace {

/// A scheduler operation counting how it ended: run by the io_context
/// (owner set) or destroyed unrun at its shutdown (owner null).
struct counted_op : compat::scheduler_operation {
  int* ran;
  int* destroyed;
  counted_op(int& r, int& d) : compat::scheduler_operation(&counted_op::do_complete), ran(&r), destroyed(&d) {}
  static void do_complete(void* owner, compat::scheduler_operation* base, const boost::system::error_code&,
                          std::size_t) {
    std::unique_ptr<counted_op> op(static_cast<counted_op*>(base));
    ++*(owner ? op->ran : op->destroyed);
  }
};

/// An entry coroutine like the kernel's task_entry: takes the switched flag,
/// then waits on two timers.
compat::entry_awaitable<> entry(bool*& flag, int& stage, asio::steady_timer& first, asio::steady_timer& second) {
  flag = compat::switched_flag(co_await compat::switched_query{});
  stage = 1;
  co_await first.async_wait(asio::use_awaitable);
  stage = 2;
  try {
    co_await second.async_wait(asio::use_awaitable);
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted) throw;
  }
  stage = 3;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(asio_compat)

BOOST_AUTO_TEST_CASE(concurrency_hint_is_the_one_the_io_context_was_made_with) {
  asio::io_context one(1), two(2), unspecified;
  BOOST_TEST(compat::concurrency_hint(one) == 1);  // the loop then takes no mutex
  BOOST_TEST(compat::concurrency_hint(two) == 2);
  BOOST_TEST(compat::concurrency_hint(unspecified) != 1);
}

// Asio 1.34 writes "1" into its configuration for every special hint: the
// hint is read from the io_context's configuration service itself.
BOOST_AUTO_TEST_CASE(a_fully_locking_special_hint_is_not_read_as_one) {
  asio::io_context safe(BOOST_ASIO_CONCURRENCY_HINT_SAFE);
  BOOST_TEST(compat::concurrency_hint(safe) != 1);  // several threads may run it
}

#if BOOST_ASIO_VERSION >= 103400
// Asio 1.34's config::get() reads every integer as 0: a hint given by a
// configuration string is read too.
BOOST_AUTO_TEST_CASE(a_hint_from_a_configuration_string_is_read) {
  asio::io_context one(asio::config_from_string("scheduler.concurrency_hint=1"));
  asio::io_context two(asio::config_from_string("scheduler.concurrency_hint=2"));
  BOOST_TEST(compat::concurrency_hint(one) == 1);
  BOOST_TEST(compat::concurrency_hint(two) == 2);
}
#endif

BOOST_AUTO_TEST_CASE(an_operation_queued_on_the_scheduler_runs_once) {
  asio::io_context io;
  int ran = 0, destroyed = 0;
  compat::post_immediate(compat::scheduler_of(io), new counted_op(ran, destroyed));
  BOOST_TEST(io.run() == 1u);
  BOOST_TEST(ran == 1);
  BOOST_TEST(destroyed == 0);
}

BOOST_AUTO_TEST_CASE(an_operation_queued_and_never_run_is_destroyed_at_shutdown) {
  int ran = 0, destroyed = 0;
  {
    asio::io_context io;
    compat::post_immediate(compat::scheduler_of(io), new counted_op(ran, destroyed));
  }
  BOOST_TEST(ran == 0);
  BOOST_TEST(destroyed == 1);
}

BOOST_AUTO_TEST_CASE(an_awaitable_thread_launches_on_the_calling_thread_and_the_flag_tracks_resumptions) {
  asio::io_context io;
  asio::steady_timer first(io, std::chrono::steady_clock::time_point{});  // expired
  asio::steady_timer second(io, 10h);
  asio::cancellation_signal sig;
  bool* flag = nullptr;
  int stage = 0;
  compat::awaitable_thread<> thread(entry(flag, stage, first, second), io.get_executor(), sig.slot(),
                                    asio::cancellation_state(sig.slot()));
  thread.launch();  // the first step runs here, up to the first wait
  BOOST_TEST(stage == 1);
#if TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG
  BOOST_REQUIRE(flag != nullptr);
  BOOST_TEST(compat::context_switched(flag));  // it handed itself to the timer
  compat::reset_switched(flag);
  BOOST_TEST(!compat::context_switched(flag));
  // A step that does not resume the coroutine leaves the flag alone.
  asio::post(io, [] {});
  BOOST_TEST(io.run_one() == 1u);
  BOOST_TEST(stage == 1);
  BOOST_TEST(!compat::context_switched(flag));
#else
  BOOST_TEST(flag == nullptr);  // Asio 1.36+: no flag, every step counts
#endif
  compat::reset_switched(flag);
  while (stage == 1) BOOST_REQUIRE(io.run_one() == 1u);  // the first timer resumes it
  BOOST_TEST(stage == 2);
  BOOST_TEST(compat::context_switched(flag));
  second.cancel();
  io.run();
  BOOST_TEST(stage == 3);
  BOOST_TEST(io.stopped());
}

BOOST_AUTO_TEST_SUITE_END()
