// Eager tasks (task_options::eager_start, run_options::eager_tasks): asyncio
// 3.12's eager_task_factory and 3.14's create_task(..., eager_start=True).
// Ported from CPython's Lib/test/test_asyncio/test_eager_task_factory.py
// (EagerTaskFactoryLoopTests) and the eager runs of test_taskgroups.py
// (gh-128550, gh-128588, gh-155418), in virtual time.
#include <taskio/task_options.hpp>  // first: the header is self-contained

#include "../task_group_support.hpp"

#include <algorithm>
#include <stdexcept>

using namespace taskio_test;
using namespace taskio_test::groups;

namespace {

/// run_virtual with eager start as the loop's default (asyncio's
/// loop.set_task_factory(asyncio.eager_task_factory)).
void run_eager(asio::awaitable<void> body) {
  taskio::run(std::move(body), {.virtual_time = true, .handle_signals = false, .eager_tasks = true});
}

asio::awaitable<std::string> hello(trace& tr) {
  tr("task");
  co_return "hello";
}

asio::awaitable<std::string> hello_after(std::chrono::nanoseconds d, trace& tr) {
  tr("task:start");
  co_await taskio::sleep(d);
  tr("task:end");
  co_return "finished after blocking";
}

asio::awaitable<void> throw_now(std::string what) {
  throw std::runtime_error(what);
  co_return;
}

}  // namespace

/// A test case whose body runs as main on an eager virtual-time loop.
#define EAGER_TEST_CASE(name)                                              \
  static boost::asio::awaitable<void> name##_body();                       \
  BOOST_AUTO_TEST_CASE(name) { run_eager(name##_body()); }                 \
  static boost::asio::awaitable<void> name##_body()

BOOST_AUTO_TEST_SUITE(eager_tasks)

// --- test_eager_task_factory.py ---------------------------------------------

// test_eager_completion: the task is done when create_task returns
EAGER_TEST_CASE(a_task_that_does_not_suspend_is_done_when_create_task_returns) {
  trace tr;
  auto t = taskio::create_task(hello(tr));
  tr("creator");
  BOOST_TEST(t.done());
  BOOST_TEST(tr.str() == "task creator");
  BOOST_TEST(co_await t.async_wait() == "hello");
  BOOST_TEST(vt() == 0s);
}

// test_block_after_eager_step
EAGER_TEST_CASE(the_first_step_runs_up_to_the_first_suspension) {
  trace tr;
  auto t = taskio::create_task(hello_after(100ms, tr));
  tr("creator");
  BOOST_TEST(!t.done());
  BOOST_TEST(tr.str() == "task:start creator");
  BOOST_TEST(co_await t.async_wait() == "finished after blocking");
  BOOST_TEST(t.done());
  BOOST_TEST(vt() == 100ms);
  BOOST_TEST(tr.str() == "task:start creator task:end");
}

// test_await_future_during_eager_step
EAGER_TEST_CASE(a_future_set_in_the_eager_step_is_done_at_once) {
  taskio::future<std::string> fut;
  auto t = taskio::create_task([fut]() mutable -> asio::awaitable<void> {
    fut.set_result("my message");
    co_return;
  });
  BOOST_TEST(t.done());
  BOOST_TEST(fut.done());
  BOOST_TEST(co_await fut.async_wait() == "my message");
}

// test_cancellation_after_eager_completion
EAGER_TEST_CASE(a_task_finished_eagerly_cannot_be_cancelled) {
  trace tr;
  auto t = taskio::create_task(hello(tr));
  BOOST_TEST(!t.cancel());
  BOOST_TEST(co_await t.async_wait() == "hello");
  BOOST_TEST(!t.cancelled());
}

// test_cancellation_after_eager_step_blocks
EAGER_TEST_CASE(a_task_blocked_after_its_eager_step_is_cancelled_as_usual) {
  trace tr;
  auto t = taskio::create_task(hello_after(100ms, tr));
  BOOST_TEST(t.cancel("cancellation message"));
  BOOST_TEST(t.cancelling() > 0);
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(cancel_message(e) == "cancellation message");
  BOOST_TEST(t.cancelled());
  BOOST_TEST(tr.str() == "task:start");
  BOOST_TEST(vt() == 0s);
}

// test_current_task: the new task during its eager step (and after it
// suspended), the creator again once create_task returned
EAGER_TEST_CASE(current_task_is_the_new_task_during_its_eager_step) {
  const taskio::task_ref creator = taskio::current_task();
  taskio::task_ref in_step, after_sleep;
  auto t = taskio::create_task([&]() -> asio::awaitable<void> {
    in_step = taskio::current_task();
    co_await taskio::sleep(100ms);
    after_sleep = taskio::current_task();
  });
  BOOST_TEST((in_step == taskio::task_ref(t)));
  BOOST_TEST((taskio::current_task() == creator));
  co_await t.async_wait();
  BOOST_TEST((after_sleep == taskio::task_ref(t)));
}

EAGER_TEST_CASE(nested_eager_steps_restore_each_creator) {
  const taskio::task_ref main_task = taskio::current_task();
  taskio::task_ref outer_before, outer_after, inner_seen;
  taskio::task<void> inner;
  auto outer = taskio::create_task([&]() -> asio::awaitable<void> {
    outer_before = taskio::current_task();
    inner = taskio::create_task([&]() -> asio::awaitable<void> {
      inner_seen = taskio::current_task();
      co_return;
    });
    outer_after = taskio::current_task();
    co_return;
  });
  BOOST_TEST(outer.done());
  BOOST_TEST(inner.done());
  BOOST_TEST((outer_before == taskio::task_ref(outer)));
  BOOST_TEST((outer_after == taskio::task_ref(outer)));
  BOOST_TEST((inner_seen == taskio::task_ref(inner)));
  BOOST_TEST((taskio::current_task() == main_task));
  co_return;
}

EAGER_TEST_CASE(a_task_failing_in_its_eager_step_leaves_the_creator_running) {
  const taskio::task_ref creator = taskio::current_task();
  auto t = taskio::create_task(throw_now("boom"));
  BOOST_TEST(t.done());
  BOOST_TEST((taskio::current_task() == creator));
  auto e = t.exception();
  BOOST_TEST(taskio::describe_exception(e).find("boom") != std::string::npos);
  co_await taskio::sleep(0s);  // the creator is not cancelled or otherwise affected
}

// test_all_tasks_with_eager_completion
EAGER_TEST_CASE(all_tasks_holds_an_eager_task_only_while_it_runs) {
  std::vector<taskio::task_ref> seen;
  auto t = taskio::create_task([&]() -> asio::awaitable<void> {
    seen = taskio::all_tasks();
    co_return;
  });
  BOOST_TEST((std::find(seen.begin(), seen.end(), taskio::task_ref(t)) != seen.end()));
  auto now = taskio::all_tasks();
  BOOST_TEST((std::find(now.begin(), now.end(), taskio::task_ref(t)) == now.end()));
  co_return;
}

// test_all_tasks_with_blocking
EAGER_TEST_CASE(all_tasks_holds_an_eager_task_that_blocked_until_it_ends) {
  std::vector<taskio::task_ref> seen;
  taskio::future<void> fut1, fut2;
  auto t = taskio::create_task([&, fut1, fut2]() mutable -> asio::awaitable<void> {
    seen = taskio::all_tasks();
    co_await fut1.async_wait();
    fut2.set_result();
  });
  const taskio::task_ref ref(t);
  BOOST_TEST((std::find(seen.begin(), seen.end(), ref) != seen.end()));
  auto during = taskio::all_tasks();
  BOOST_TEST((std::find(during.begin(), during.end(), ref) != during.end()));
  fut1.set_result();
  co_await fut2.async_wait();
  auto after = taskio::all_tasks();
  BOOST_TEST((std::find(after.begin(), after.end(), ref) == after.end()));
}

// asyncio: a task finished in its eager step is never scheduled, but its done
// callbacks are (call_soon), as for any future completed synchronously.
EAGER_TEST_CASE(done_callbacks_of_an_eagerly_finished_task_run_through_the_loop) {
  trace tr;
  auto t = taskio::create_task(hello(tr));
  t.add_done_callback([&](const taskio::task<std::string>& d) { tr("callback:" + d.result()); });
  tr("registered");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "task registered callback:hello");
}

// --- per task: task_options::eager_start ------------------------------------

TASKIO_TEST_CASE(eager_start_true_starts_one_task_eagerly_on_a_lazy_loop) {
  trace tr;
  auto lazy = taskio::create_task(hello(tr));
  tr("after-lazy");
  auto eager = taskio::create_task(hello(tr), {.name = "eager", .eager_start = true});
  tr("after-eager");
  BOOST_TEST(tr.str() == "after-lazy task after-eager");
  BOOST_TEST(eager.done());
  BOOST_TEST(eager.get_name() == "eager");
  BOOST_TEST(!lazy.done());
  co_await lazy.async_wait();
  BOOST_TEST(tr.str() == "after-lazy task after-eager task");
}

EAGER_TEST_CASE(eager_start_false_schedules_one_task_on_an_eager_loop) {
  trace tr;
  auto t = taskio::create_task(hello(tr), {.eager_start = false});
  tr("creator");
  BOOST_TEST(!t.done());
  BOOST_TEST(co_await t.async_wait() == "hello");
  BOOST_TEST(tr.str() == "creator task");
}

// asyncio starts eagerly only while the loop runs: a task created before
// run() is scheduled.
BOOST_AUTO_TEST_CASE(a_task_created_before_the_loop_runs_is_scheduled) {
  trace tr;
  taskio::runner r({.virtual_time = true, .handle_signals = false, .eager_tasks = true});
  auto t = taskio::create_task(r.get_executor(), hello(tr), {.eager_start = true});
  BOOST_TEST(!t.done());
  BOOST_TEST(tr.str() == "");
  r.run([&]() -> asio::awaitable<void> { co_await t.async_wait(); }());
  BOOST_TEST(tr.str() == "task");
  BOOST_TEST(t.result() == "hello");
}

// ... and only on the executor that is running: a task for another strand
// must not run inside this step.
BOOST_AUTO_TEST_CASE(a_task_for_another_strand_is_scheduled) {
  trace tr;
  taskio::runner r({.virtual_time = true, .handle_signals = false, .eager_tasks = true});
  auto strand = asio::make_strand(r.get_executor());
  r.run([&]() -> asio::awaitable<void> {
    auto t = taskio::create_task(strand, hello(tr));
    tr("creator");
    BOOST_TEST(!t.done());
    co_await t.async_wait();
  }());
  BOOST_TEST(tr.str() == "creator task");
}

// From a plain loop callback (the loop runs): eager, and the callback has no
// current task again afterwards.
EAGER_TEST_CASE(a_loop_callback_starts_a_task_eagerly) {
  trace tr;
  taskio::task<std::string> t;
  bool no_task_after = false;
  taskio::call_soon([&] {
    t = taskio::create_task(hello(tr));
    no_task_after = !taskio::current_task();
    tr("callback");
  });
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "task callback");
  BOOST_TEST(t.done());
  BOOST_TEST(no_task_after);
}

// gather/wait wrap awaitables into tasks: on an eager loop those start eagerly.
EAGER_TEST_CASE(gather_starts_its_children_eagerly) {
  trace tr;
  auto record = [&]() -> asio::awaitable<void> {
    tr("scheduled");
    co_return;
  };
  auto scheduled = taskio::create_task(record(), {.eager_start = false});
  auto [a, b] = co_await taskio::gather(hello(tr), hello_after(1s, tr));
  BOOST_TEST(a == "hello");
  BOOST_TEST(b == "finished after blocking");
  // lazy: "scheduled task task:start task:end"
  BOOST_TEST(tr.str() == "task task:start scheduled task:end");
  co_await scheduled.async_wait();
}

// --- task groups (test_taskgroups.py, TestEagerTaskTaskGroup) -------------

// gh-128588: a child failing in its eager step must not cancel the body
// inside create_task: the group handles it one iteration later, as any child.
EAGER_TEST_CASE(a_child_failing_eagerly_does_not_cancel_the_body_inside_create_task) {
  int cancelling_after_create = -1;
  auto e = co_await catch_exception(
      taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
        auto c = tg.create_task(throw_now("boom"));
        BOOST_TEST(c.done());
        cancelling_after_create = cancelling();
        co_await taskio::sleep(1h);  // interrupted by the group one iteration later
      }));
  BOOST_TEST(cancelling_after_create == 0);
  BOOST_TEST(members(e) == taskio::describe_exception(std::make_exception_ptr(std::runtime_error("boom"))));
  BOOST_TEST(vt() == 0s);
}

// test_cancellation_does_not_leak_out_of_tg (gh-128588)
EAGER_TEST_CASE(the_groups_cancellation_does_not_leak_out_after_an_eager_failure) {
  auto e = co_await catch_exception(
      taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
        tg.create_task(throw_now("boom"));
        co_return;
      }));
  BOOST_TEST(members(e).find("boom") != std::string::npos);
  BOOST_TEST(cancelling() == 0);
  co_await taskio::sleep(0s);  // would raise cancelled_error if the request leaked
  co_await taskio::sleep(1s);
  BOOST_TEST(vt() == 1s);
}

// test_cancels_task_if_created_during_creation (gh-128550): a child created
// eagerly by an eager child fails at once; the creating child, registered
// after it, is still cancelled (at its first suspension point).
/// `cancel_point`: where the creating child is cancelled ("first" eager,
/// "second" lazy: one more iteration passes before the failure is handled).
asio::awaitable<void> check_creation_during_creation(std::string cancel_point) {
  bool ran = false;
  std::string cancelled_at;
  auto e = co_await catch_exception(
      taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
        tg.create_task([&]() -> asio::awaitable<void> {  // second_task
          tg.create_task(throw_now("third task failed"));
          try {
            cancelled_at = "first";
            co_await taskio::sleep(0s);  // eager tasks cancel here
            cancelled_at = "second";
            co_await taskio::sleep(0s);  // lazy tasks cancel here
            cancelled_at = "never";
          } catch (const taskio::cancelled_error&) {
            ran = true;
          }
        });
        co_return;
      }));
  BOOST_TEST(ran);
  BOOST_TEST(cancelled_at == cancel_point);
  BOOST_TEST(members(e).find("third task failed") != std::string::npos);
}

EAGER_TEST_CASE(a_child_created_while_a_child_is_created_is_cancelled_eager) {
  co_await check_creation_during_creation("first");
}

TASKIO_TEST_CASE(a_child_created_while_a_child_is_created_is_cancelled_lazy) {
  co_await check_creation_during_creation("second");
}

// gh-155418: an eager child that cancels its group before its first
// suspension (before the group registered it) is cancelled too; no hang.
EAGER_TEST_CASE(an_eager_child_cancelling_its_group_before_suspending_is_cancelled) {
  trace tr;
  taskio::event never;
  taskio::task<void> child;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    child = tg.create_task([&]() -> asio::awaitable<void> {
      tg.cancel();
      try {
        co_await never.wait();
      } catch (const taskio::cancelled_error&) {
        tr("child:cancelled");
        throw;
      }
    });
    tr("body");
    co_await taskio::sleep(1h);
    tr("body:not-cancelled");
  });
  tr("exited");
  BOOST_TEST(tr.str() == "body child:cancelled exited");
  BOOST_TEST(child.cancelled());
  BOOST_TEST(vt() == 0s);
  BOOST_TEST(cancelling() == 0);
}

// The same through task_options on a lazy loop, plus a sibling that was
// already registered (cancelled by abort() itself).
TASKIO_TEST_CASE(eager_start_per_child_in_a_group_cancelling_it_first_thing) {
  trace tr;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(forever());
    // (named: the coroutine refers to the lambda, which must outlive it)
    auto canceller = [&]() -> asio::awaitable<void> {
      tg.cancel();
      co_await forever();
    };
    auto c = tg.create_task(canceller(), {.name = "canceller", .eager_start = true});
    BOOST_TEST(c.get_name() == "canceller");
    tr("body");
    co_await forever();
  });
  BOOST_TEST(tr.str() == "body");
  BOOST_TEST(vt() == 0s);
}

// Eager children finishing in create_task still count: the exit collects
// their results one iteration later, and nothing is lost.
EAGER_TEST_CASE(eager_children_that_finish_at_once_are_collected) {
  trace tr;
  std::vector<taskio::task<std::string>> kids;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    for (int i = 0; i < 3; ++i) kids.push_back(tg.create_task(hello(tr)));
    tr("body");
    co_return;
  });
  BOOST_TEST(tr.str() == "task task task body");
  for (auto& k : kids) BOOST_TEST(k.result() == "hello");
}

BOOST_AUTO_TEST_SUITE_END()
