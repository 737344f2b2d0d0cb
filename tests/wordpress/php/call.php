<?php
/**
 * Call one of the plugin's functions (or apply a filter) with WordPress loaded; print the result as JSON.
 *
 * Input: CS_CALL = {"fn": name, "args": [...], "cookies"?: {...}}. Only consent_server_* functions
 * and apply_filters are callable: this is a test tool, but it need not be a general eval.
 */

$cs_call = json_decode( (string) getenv( 'CS_CALL' ), true );
if ( ! preg_match( '/^(consent_server_[a-z_]+|apply_filters)$/', (string) $cs_call['fn'] ) || ! function_exists( $cs_call['fn'] ) ) {
	fwrite( STDERR, "not callable: {$cs_call['fn']}\n" );
	exit( 3 );
}
if ( isset( $cs_call['cookies'] ) ) {
	$_COOKIE = $cs_call['cookies'];
}
echo json_encode( array( 'result' => call_user_func_array( $cs_call['fn'], isset( $cs_call['args'] ) ? $cs_call['args'] : array() ) ) ), "\n";
