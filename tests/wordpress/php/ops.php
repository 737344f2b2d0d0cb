<?php
/**
 * Apply a JSON list of set-up operations to the test WordPress (run through boot.php).
 *
 * Input: JSON in the CS_OPS environment variable, an object with any of
 *   activate: [plugin file], deactivate: [plugin file], uninstall: [plugin file],
 *   options: {name: value}, delete_options: [name],
 *   posts: [{key, title, content, type?}], read_options: [name], read_transients_like: prefix
 * Output: JSON {posts: {key: {id, url}}, options: {...}, transients: {...}, errors: [...]}.
 */

$cs_ops = json_decode( (string) getenv( 'CS_OPS' ), true );
$cs_out = array( 'posts' => array(), 'options' => array(), 'transients' => array(), 'errors' => array() );

foreach ( isset( $cs_ops['deactivate'] ) ? $cs_ops['deactivate'] : array() as $cs_plugin ) {
	deactivate_plugins( $cs_plugin, true );
}
foreach ( isset( $cs_ops['activate'] ) ? $cs_ops['activate'] : array() as $cs_plugin ) {
	$cs_res = activate_plugin( $cs_plugin );
	if ( is_wp_error( $cs_res ) ) {
		$cs_out['errors'][] = $cs_plugin . ': ' . $cs_res->get_error_message();
	}
}
foreach ( isset( $cs_ops['uninstall'] ) ? $cs_ops['uninstall'] : array() as $cs_plugin ) {
	deactivate_plugins( $cs_plugin, true );
	uninstall_plugin( $cs_plugin );
}
foreach ( isset( $cs_ops['options'] ) ? $cs_ops['options'] : array() as $cs_name => $cs_value ) {
	update_option( $cs_name, $cs_value );
}
foreach ( isset( $cs_ops['delete_options'] ) ? $cs_ops['delete_options'] : array() as $cs_name ) {
	delete_option( $cs_name );
}
foreach ( isset( $cs_ops['posts'] ) ? $cs_ops['posts'] : array() as $cs_post ) {
	$cs_id = wp_insert_post(
		array(
			'post_title'   => $cs_post['title'],
			'post_content' => $cs_post['content'],
			'post_type'    => isset( $cs_post['type'] ) ? $cs_post['type'] : 'post',
			'post_status'  => 'publish',
			'post_author'  => 1,
		),
		true
	);
	if ( is_wp_error( $cs_id ) ) {
		$cs_out['errors'][] = $cs_id->get_error_message();
		continue;
	}
	$cs_out['posts'][ $cs_post['key'] ] = array( 'id' => $cs_id, 'url' => get_permalink( $cs_id ) );
}
foreach ( isset( $cs_ops['read_options'] ) ? $cs_ops['read_options'] : array() as $cs_name ) {
	$cs_out['options'][ $cs_name ] = get_option( $cs_name, null );
}
if ( ! empty( $cs_ops['read_transients_like'] ) ) {
	global $wpdb;
	$cs_rows = $wpdb->get_results( $wpdb->prepare( "SELECT option_name, option_value FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( '_transient_' . $cs_ops['read_transients_like'] ) . '%' ) );
	foreach ( $cs_rows as $cs_row ) {
		$cs_out['transients'][ substr( $cs_row->option_name, strlen( '_transient_' ) ) ] = maybe_unserialize( $cs_row->option_value );
	}
}
echo json_encode( $cs_out ), "\n";
