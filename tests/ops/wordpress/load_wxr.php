<?php
/**
 * Loads a WXR file into the site the way the WordPress Importer plugin (Tools → Import →
 * WordPress) does, for machines where the plugin cannot be installed: the file is read as its
 * SimpleXML parser reads it (a DOM without a doctype, wp:wxr_version checked, the namespaces
 * the file declares) and written with the same WordPress functions in the same order:
 * authors, categories, tags, then posts with their terms, comments (parents mapped) and
 * meta; then parents, image addresses and featured images put right. This is a re-reading of
 * what the plugin does, not the plugin: see docs/migrating.md for what that proves.
 *
 * Arguments: the file, then optionally URL=FOLDER, where attachments whose address starts
 * with URL are copied from (the plugin downloads them; nothing is downloaded here).
 * Prints what was made, and what failed, as JSON.
 */

require __DIR__ . '/boot.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/post.php';
require_once ABSPATH . 'wp-admin/includes/comment.php';
require_once ABSPATH . 'wp-admin/includes/taxonomy.php';

wp_set_current_user( 1 );  // the administrator who runs the importer
$source = array();
if ( isset( $argv[2] ) ) {
	list( $prefix, $folder ) = explode( '=', $argv[2], 2 );
	$source                  = array( 'prefix' => $prefix, 'folder' => rtrim( $folder, '/' ) );
}
$report = array( 'version' => '', 'authors' => 0, 'categories' => 0, 'tags' => 0, 'posts' => array(), 'comments' => 0, 'failed' => array() );

function fail( $message ) {
	fwrite( STDERR, $message . "\n" );
	exit( 1 );
}

// --- Reading, as the parser does -------------------------------------------------------------
libxml_use_internal_errors( true );
$dom = new DOMDocument();
if ( ! $dom->loadXML( file_get_contents( $argv[1] ) ) || isset( $dom->doctype ) ) {
	fail( 'There was an error when reading this WXR file: ' . wp_json_encode( libxml_get_errors() ) );
}
$xml = simplexml_import_dom( $dom );
$found = $xml->xpath( '/rss/channel/wp:wxr_version' );
if ( ! $found || ! preg_match( '/^\d+\.\d+$/', trim( (string) $found[0] ) ) ) {
	fail( 'This does not appear to be a WXR file, missing/invalid WXR version number' );
}
$report['version'] = trim( (string) $found[0] );
$ns                = $xml->getDocNamespaces() + array(
	'wp'      => 'http://wordpress.org/export/1.1/',
	'excerpt' => 'http://wordpress.org/export/1.1/excerpt/',
);
$base_url = $xml->xpath( '/rss/channel/wp:base_site_url' );
$base_url = isset( $base_url[0] ) ? trim( (string) $base_url[0] ) : '';

wp_defer_term_counting( true );
wp_defer_comment_counting( true );
wp_suspend_cache_invalidation( true );

// --- Authors: new accounts with the file's display names ------------------------------------
$authors = array();
foreach ( $xml->xpath( '/rss/channel/wp:author' ) as $element ) {
	$a     = $element->children( $ns['wp'] );
	$login = (string) $a->author_login;
	$id    = wp_insert_user( array(
		'user_login'   => $login,
		'user_pass'    => wp_generate_password(),
		'user_email'   => (string) $a->author_email,
		'display_name' => (string) $a->author_display_name,
		'first_name'   => (string) $a->author_first_name,
		'last_name'    => (string) $a->author_last_name,
	) );
	if ( is_wp_error( $id ) ) {
		$report['failed'][] = "author $login: " . $id->get_error_message();
		$id                 = get_current_user_id();
	} else {
		++$report['authors'];
	}
	$authors[ sanitize_user( $login, true ) ] = $id;
}

// --- Terms ------------------------------------------------------------------------------------
foreach ( $xml->xpath( '/rss/channel/wp:category' ) as $element ) {
	$t = $element->children( $ns['wp'] );
	if ( term_exists( (string) $t->category_nicename, 'category' ) ) {
		continue;
	}
	$id = wp_insert_category( array(
		'category_nicename'    => (string) $t->category_nicename,
		'category_parent'      => '' === (string) $t->category_parent ? 0 : category_exists( (string) $t->category_parent ),
		'cat_name'             => wp_slash( (string) $t->cat_name ),
		'category_description' => wp_slash( (string) $t->category_description ),
	), true );
	if ( is_wp_error( $id ) || $id <= 0 ) {
		$report['failed'][] = 'category ' . $t->category_nicename;
	} else {
		++$report['categories'];
	}
}
foreach ( $xml->xpath( '/rss/channel/wp:tag' ) as $element ) {
	$t = $element->children( $ns['wp'] );
	if ( term_exists( (string) $t->tag_slug, 'post_tag' ) ) {
		continue;
	}
	$id = wp_insert_term( wp_slash( (string) $t->tag_name ), 'post_tag', array(
		'slug'        => (string) $t->tag_slug,
		'description' => wp_slash( (string) $t->tag_description ),
	) );
	if ( is_wp_error( $id ) ) {
		$report['failed'][] = 'tag ' . $t->tag_slug . ': ' . $id->get_error_message();
	} else {
		++$report['tags'];
	}
}

// --- Posts, pages and attachments ---------------------------------------------------------------
$processed = array();  // old post id => new
$orphans   = array();  // new child id => old parent id
$remap     = array();  // old image address without extension => new
$featured  = array();  // new post id => old attachment id
foreach ( $xml->channel->item as $item ) {
	$wp       = $item->children( $ns['wp'] );
	$old_id   = (int) $wp->post_id;
	$type     = (string) $wp->post_type;
	$status   = (string) $wp->status;
	$title    = (string) $item->title;
	if ( ! post_type_exists( $type ) ) {
		$report['failed'][] = "$title: invalid post type $type";
		continue;
	}
	if ( 'auto-draft' === $status || isset( $processed[ $old_id ] ) ) {
		continue;
	}
	$date = (string) $wp->post_date;
	if ( post_exists( $title, '', $date, $type ) ) {
		$report['failed'][] = "$type $title already exists";
		continue;
	}
	$parent = (int) $wp->post_parent;
	if ( $parent && isset( $processed[ $parent ] ) ) {
		$parent = $processed[ $parent ];
	} elseif ( $parent ) {
		$orphan_of = $parent;
		$parent    = 0;
	}
	$creator = sanitize_user( (string) $item->children( 'http://purl.org/dc/elements/1.1/' )->creator, true );
	$data    = array(
		'import_id'      => $old_id,
		'post_author'    => isset( $authors[ $creator ] ) ? $authors[ $creator ] : get_current_user_id(),
		'post_date'      => $date,
		'post_date_gmt'  => (string) $wp->post_date_gmt,
		'post_content'   => (string) $item->children( 'http://purl.org/rss/1.0/modules/content/' )->encoded,
		'post_excerpt'   => (string) $item->children( $ns['excerpt'] )->encoded,
		'post_title'     => $title,
		'post_status'    => $status,
		'post_name'      => (string) $wp->post_name,
		'comment_status' => (string) $wp->comment_status,
		'ping_status'    => (string) $wp->ping_status,
		'guid'           => (string) $item->guid,
		'post_parent'    => $parent,
		'menu_order'     => (int) $wp->menu_order,
		'post_type'      => $type,
		'post_password'  => (string) $wp->post_password,
	);
	$data = wp_slash( $data );
	if ( 'attachment' === $type ) {
		$url = isset( $wp->attachment_url ) ? (string) $wp->attachment_url : (string) $item->guid;
		$new = attachment( $data, $url, $source, $remap );
	} else {
		$new = wp_insert_post( $data, true );
	}
	if ( is_wp_error( $new ) ) {
		$report['failed'][] = "$type $title: " . $new->get_error_message();
		continue;
	}
	if ( isset( $orphan_of ) ) {
		$orphans[ $new ] = $orphan_of;
		unset( $orphan_of );
	}
	if ( 1 === (int) $wp->is_sticky ) {
		stick_post( $new );
	}
	$processed[ $old_id ]          = $new;
	$report['posts'][ $old_id ]    = $new;

	$terms = array();
	foreach ( $item->category as $category ) {
		$attributes = $category->attributes();
		if ( ! isset( $attributes['nicename'] ) ) {
			continue;
		}
		$taxonomy = 'tag' === (string) $attributes['domain'] ? 'post_tag' : (string) $attributes['domain'];
		$term     = term_exists( (string) $attributes['nicename'], $taxonomy );
		$term_id  = is_array( $term ) ? $term['term_id'] : $term;
		if ( ! $term_id ) {
			$term = wp_insert_term( (string) $category, $taxonomy, array( 'slug' => (string) $attributes['nicename'] ) );
			if ( is_wp_error( $term ) ) {
				$report['failed'][] = "$taxonomy $category: " . $term->get_error_message();
				continue;
			}
			$term_id = $term['term_id'];
		}
		$terms[ $taxonomy ][] = (int) $term_id;
	}
	foreach ( $terms as $taxonomy => $term_ids ) {
		wp_set_post_terms( $new, $term_ids, $taxonomy );
	}

	$comments = array();
	foreach ( $wp->comment as $c ) {
		$comments[ (int) $c->comment_id ] = array(
			'comment_post_ID'      => $new,
			'comment_author'       => (string) $c->comment_author,
			'comment_author_email' => (string) $c->comment_author_email,
			'comment_author_IP'    => (string) $c->comment_author_IP,
			'comment_author_url'   => (string) $c->comment_author_url,
			'comment_date'         => (string) $c->comment_date,
			'comment_date_gmt'     => (string) $c->comment_date_gmt,
			'comment_content'      => (string) $c->comment_content,
			'comment_approved'     => (string) $c->comment_approved,
			'comment_type'         => (string) $c->comment_type,
			'comment_parent'       => (string) $c->comment_parent,
		);
	}
	ksort( $comments );
	$inserted = array();
	foreach ( $comments as $old_comment => $comment ) {
		if ( isset( $inserted[ $comment['comment_parent'] ] ) ) {
			$comment['comment_parent'] = $inserted[ $comment['comment_parent'] ];
		}
		$id = wp_insert_comment( wp_filter_comment( wp_slash( $comment ) ) );
		if ( $id ) {
			$inserted[ $old_comment ] = $id;
			++$report['comments'];
		} else {
			$report['failed'][] = "comment $old_comment";
		}
	}

	foreach ( $wp->postmeta as $meta ) {
		$key = (string) $meta->meta_key;
		if ( in_array( $key, array( '_wp_attached_file', '_wp_attachment_metadata', '_edit_lock', '_edit_last' ), true ) ) {
			continue;
		}
		$value = maybe_unserialize( (string) $meta->meta_value );
		add_post_meta( $new, wp_slash( $key ), wp_slash_strings_only( $value ) );
		if ( '_thumbnail_id' === $key ) {
			$featured[ $new ] = (int) $value;
		}
	}
}
wp_suspend_cache_invalidation( false );

// --- Put right what pointed at ids and addresses of the old site --------------------------------
global $wpdb;
foreach ( $orphans as $child => $old_parent ) {
	if ( isset( $processed[ $old_parent ] ) ) {
		$wpdb->update( $wpdb->posts, array( 'post_parent' => $processed[ $old_parent ] ), array( 'ID' => $child ), '%d', '%d' );
		clean_post_cache( $child );
	}
}
uksort( $remap, function ( $a, $b ) {
	return strlen( $b ) - strlen( $a );
} );
foreach ( $remap as $from => $to ) {
	$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->posts} SET post_content = REPLACE(post_content, %s, %s)", $from, $to ) );
}
foreach ( $featured as $post => $old_attachment ) {
	if ( isset( $processed[ $old_attachment ] ) && $processed[ $old_attachment ] !== $old_attachment ) {
		update_post_meta( $post, '_thumbnail_id', $processed[ $old_attachment ] );
	}
}
wp_cache_flush();
foreach ( get_taxonomies() as $taxonomy ) {
	delete_option( "{$taxonomy}_children" );
	_get_term_hierarchy( $taxonomy );
}
wp_defer_term_counting( false );
wp_defer_comment_counting( false );

echo wp_json_encode( $report ), "\n";

/**
 * An attachment: its file copied (where the plugin downloads it) into this site's uploads
 * under the month it was uploaded in, then inserted with its sizes made.
 */
function attachment( $data, $url, $source, &$remap ) {
	if ( ! $source || 0 !== strpos( $url, $source['prefix'] ) ) {
		return new WP_Error( 'attachment_processing_error', "not fetched: $url" );
	}
	$local = $source['folder'] . '/' . rawurldecode( substr( $url, strlen( $source['prefix'] ) ) );
	if ( ! is_file( $local ) ) {
		return new WP_Error( 'import_file_error', "no file at $url" );
	}
	$upload = wp_upload_bits( wp_basename( $url ), null, file_get_contents( $local ), substr( $data['post_date'], 0, 7 ) === '0000-00' ? null : str_replace( '-', '/', substr( $data['post_date'], 0, 7 ) ) );
	if ( $upload['error'] ) {
		return new WP_Error( 'upload_dir_error', $upload['error'] );
	}
	$type = wp_check_filetype( $upload['file'] );
	if ( ! $type['type'] ) {
		return new WP_Error( 'attachment_processing_error', 'Invalid file type' );
	}
	$data['post_mime_type'] = $type['type'];
	$data['guid']           = $upload['url'];
	$id                     = wp_insert_attachment( $data, $upload['file'], 0, true );
	if ( is_wp_error( $id ) ) {
		return $id;
	}
	wp_update_attachment_metadata( $id, wp_generate_attachment_metadata( $id, $upload['file'] ) );
	$old = pathinfo( $url );
	$new = pathinfo( $upload['url'] );
	$remap[ $old['dirname'] . '/' . $old['filename'] ] = $new['dirname'] . '/' . $new['filename'];
	return $id;
}
