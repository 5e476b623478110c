// Header self-containment: <taskio/to_thread.hpp> compiles alone (no PCH), twice.
#include <taskio/to_thread.hpp>
#include <taskio/to_thread.hpp>
