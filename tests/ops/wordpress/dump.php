<?php
/**
 * Prints what the site holds, as WordPress's own functions answer, as JSON: every post, page
 * and attachment (with terms, author, featured image, meta and comments), the terms and the
 * accounts.
 */

require __DIR__ . '/boot.php';

$posts = array();
$query = new WP_Query( array(
	'post_type'           => array( 'post', 'page', 'attachment' ),
	'post_status'         => 'any',
	'posts_per_page'      => -1,
	'orderby'             => 'ID',
	'order'               => 'ASC',
	'ignore_sticky_posts' => true,
	'suppress_filters'    => true,
) );
foreach ( $query->posts as $post ) {
	$comments = array();
	foreach ( get_comments( array( 'post_id' => $post->ID, 'status' => 'all', 'orderby' => 'comment_ID', 'order' => 'ASC' ) ) as $c ) {
		$parent     = $c->comment_parent ? get_comment( $c->comment_parent ) : null;
		$comments[] = array(
			'author'         => $c->comment_author,
			'email'          => $c->comment_author_email,
			'content'        => $c->comment_content,
			'approved'       => $c->comment_approved,
			'date_gmt'       => $c->comment_date_gmt,
			'parent_content' => $parent ? $parent->comment_content : null,
		);
	}
	$thumbnail = get_post_thumbnail_id( $post );
	$posts[]   = array(
		'id'         => $post->ID,
		'type'       => $post->post_type,
		'status'     => $post->post_status,
		'title'      => $post->post_title,
		'name'       => $post->post_name,
		'content'    => $post->post_content,
		'excerpt'    => $post->post_excerpt,
		'date'       => $post->post_date,
		'date_gmt'   => $post->post_date_gmt,
		'parent'     => $post->post_parent ? get_post( $post->post_parent )->post_name : null,
		'author'     => $post->post_author ? get_the_author_meta( 'display_name', $post->post_author ) : null,
		'sticky'     => is_sticky( $post->ID ),
		'categories' => wp_get_post_terms( $post->ID, 'category', array( 'fields' => 'slugs' ) ),
		'tags'       => wp_get_post_terms( $post->ID, 'post_tag', array( 'fields' => 'slugs' ) ),
		'thumbnail'  => $thumbnail ? get_post_meta( $thumbnail, '_wp_attached_file', true ) : null,
		'file'       => 'attachment' === $post->post_type ? get_attached_file( $post->ID ) : null,
		'meta'       => array_map( function ( $values ) {
			return $values[0];
		}, array_filter( get_post_meta( $post->ID ), function ( $key ) {
			return 0 === strpos( $key, '_samizdat' );
		}, ARRAY_FILTER_USE_KEY ) ),
		'permalink'  => get_permalink( $post ),
		'comments'   => $comments,
	);
}

$terms = array();
foreach ( get_terms( array( 'taxonomy' => array( 'category', 'post_tag' ), 'hide_empty' => false ) ) as $term ) {
	$terms[] = array( 'taxonomy' => $term->taxonomy, 'slug' => $term->slug, 'name' => $term->name, 'count' => $term->count );
}
$users = array();
foreach ( get_users() as $user ) {
	$users[ $user->user_login ] = $user->display_name;
}
echo wp_json_encode( array( 'posts' => $posts, 'terms' => $terms, 'users' => $users ) ), "\n";
