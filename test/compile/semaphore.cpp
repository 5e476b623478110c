// Header self-containment: <taskio/semaphore.hpp> compiles alone (no PCH), twice.
#include <taskio/semaphore.hpp>
#include <taskio/semaphore.hpp>
