//
// taskio.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The umbrella header: every public taskio header but one, nothing else.
// Not <taskio/log.hpp>, the opt-in logging configuration (set_log_level,
// log_to_console, attribute keywords), which alone includes Boost.Log:
// include it where the program configures logging.

#ifndef TASKIO_HPP
#define TASKIO_HPP

#include <taskio/as_completed.hpp>
#include <taskio/async_with.hpp>
#include <taskio/barrier.hpp>
#include <taskio/clock.hpp>
#include <taskio/condition.hpp>
#include <taskio/context.hpp>
#include <taskio/config.hpp>
#include <taskio/create_task.hpp>
#include <taskio/event.hpp>
#include <taskio/exception_group.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/future.hpp>
#include <taskio/gather.hpp>
#include <taskio/introspection.hpp>
#include <taskio/lock.hpp>
#include <taskio/loop_callbacks.hpp>
#include <taskio/loop_thread.hpp>
#include <taskio/outcome.hpp>
#include <taskio/queue.hpp>
#include <taskio/run.hpp>
#include <taskio/semaphore.hpp>
#include <taskio/shield.hpp>
#include <taskio/sleep.hpp>
#include <taskio/spawn.hpp>
#include <taskio/task.hpp>
#include <taskio/task_group.hpp>
#include <taskio/task_options.hpp>
#include <taskio/this_task.hpp>
#include <taskio/threadsafe.hpp>
#include <taskio/timeout.hpp>
#include <taskio/to_thread.hpp>
#include <taskio/traits.hpp>
#include <taskio/use_task.hpp>
#include <taskio/wait.hpp>
#include <taskio/wait_for.hpp>

#endif  // TASKIO_HPP
