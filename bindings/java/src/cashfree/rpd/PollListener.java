package cashfree.rpd;

/**
 * Called by {@link Client#waitForResult} after every successful poll, on the thread that
 * waits. Return {@code false} to stop the wait: it then ends with
 * {@link ResultCode#CANCELLED} (the status attached as {@link RpdException#lastStatus()}),
 * unless {@code latest} is already final. An exception thrown here cancels the wait and is
 * rethrown, the same object, by {@code waitForResult} once the native call has returned.
 */
public interface PollListener {
    boolean onPoll(Status latest);
}
