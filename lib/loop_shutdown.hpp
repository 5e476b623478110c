//
// lib/loop_shutdown.hpp (private to the library, not installed)
//
// Distributed under the Boost Software License, Version 1.0.
//
// What runner::close does before it destroys the io_context, on its own:
// loop_thread shuts its loop down on the loop's thread and leaves the
// io_context alive until the loop_thread is destroyed (the objects created
// with its get_executor() may outlive run(), not the loop_thread).

#ifndef TASKIO_LIB_LOOP_SHUTDOWN_HPP
#define TASKIO_LIB_LOOP_SHUTDOWN_HPP

#include <boost/asio/io_context.hpp>

namespace taskio::detail {

/// Cancels and awaits every remaining task, joins the to_thread pool while
/// the loop runs, cancels and awaits what its threads submitted meanwhile,
/// and closes the loop to other threads (pending run_coroutine_threadsafe
/// futures fail with "Event loop is closed"). Does nothing when the loop is
/// closed already. Runs the loop on the calling thread.
void shut_down_loop(boost::asio::io_context& io);

}  // namespace taskio::detail

#endif  // TASKIO_LIB_LOOP_SHUTDOWN_HPP
