/* Stand-in for bionic's <stdio.h> (see assert.h here): <jni.h> includes it but uses nothing
 * from it, so the JNI glue can be compiled (not linked) for Android without the NDK. */
