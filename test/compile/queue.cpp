// Header self-containment: <taskio/queue.hpp> compiles alone (no PCH), twice.
#include <taskio/queue.hpp>
#include <taskio/queue.hpp>
